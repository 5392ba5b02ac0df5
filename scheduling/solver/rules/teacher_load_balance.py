"""同一学校的课后服务课时在老师之间分配均衡。After-school hours are spread fairly over a school's teachers:
one unit per meeting between the busiest and the idlest teacher who could teach there."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .base import Hit, Keys, Rule, within

if TYPE_CHECKING:
    from ..check import CheckView
    from ..model import Model


class TeacherLoadBalance(Rule):
    def post(self, mdl: Model) -> None:
        """Exact ``max - min`` load per school over every teacher who could teach there (as the
        checker counts them), also teachers left off every shortlist (load 0). ``max`` and ``min``
        are pinned to the loads (``add_max_equality``), so every solution's objective is its cost,
        and cut by ``max >= ceil(total / n)``, ``min <= floor(total / n)``, so the bound starts on
        the checker's scale instead of at ``-total``.
        """
        p = mdl.problem
        if not mdl.weight(self.id):
            return
        kidx = mdl.index["teacher"]
        by_school: dict[str, list[int]] = defaultdict(list)
        for i, s in enumerate(p.sections):
            by_school[s.school].append(i)
        for school, secs in by_school.items():
            ids: set[str] = set()
            for i in secs:
                ids |= mdl.eligible(i)
            if len(ids) < 2:  # the checker's condition, on the same set of teachers
                continue
            cands = {kidx[k] for k in ids if k in kidx}
            load: dict[int, list[Any]] = {k: [] for k in sorted(cands)}
            for i in secs:
                for k in mdl.teachers_of[i]:
                    if k in load:
                        load[k].append(p.sections[i].meetings_per_week * mdl.tk[i, k])
            top = sum(p.sections[i].meetings_per_week for i in secs)
            n = len(ids)
            # every meeting of the school goes to one of these teachers (or to an unqualified
            # pinned one, a hard violation): the maximum is at least the mean, the minimum at most
            mean_hi, mean_lo = -(-top // n), top // n
            loads = []
            for k, terms in load.items():
                most = min(top, sum(p.sections[i].meetings_per_week for i in secs if k in mdl.teachers_of[i]))
                v = mdl.cp.new_int_var(0, most, f"load(school={school},k={k})")
                mdl.cp.add(v == sum(terms))
                loads.append(v)
            if len(cands) < len(ids):  # an eligible id that is not in the problem: load 0, as checked
                loads.append(mdl.cp.new_constant(0))
            # exactly the largest and the smallest load, so every solution's objective is its cost
            hi = mdl.cp.new_int_var(0, top, f"load_max(school={school})")
            lo = mdl.cp.new_int_var(0, top, f"load_min(school={school})")
            mdl.cp.add_max_equality(hi, loads)
            mdl.cp.add_min_equality(lo, loads)
            if not mdl.explain:  # qualified teachers only: every meeting is counted here
                mdl.cp.add(hi >= mean_hi)
                mdl.cp.add(lo <= mean_lo)
            spread = mdl.cp.new_int_var(0, top, f"load_spread(school={school})")
            mdl.cp.add(spread == hi - lo)
            mdl.penalise(self.id, spread)

    def score(self, view: CheckView, keys: Keys) -> Iterator[Hit]:
        at_school: dict[str, list[str]] = defaultdict(list)
        for p in view.valid:
            at_school[view.sections[p.section].school].append(p.teacher)
        cands: dict[str, set[str]] = defaultdict(set)
        for s in view.problem.sections:
            cands[s.school] |= view.eligible(s)
        for school in view.schools:
            if len(cands[school]) < 2 or not within(keys, school):
                continue
            loads = Counter(at_school[school])
            vals = [loads.get(t, 0) for t in cands[school]]
            lo, hi = min(vals), max(vals)
            yield Hit(
                (school,), f"{school} 老师课时不均（{lo}–{hi}）", f"{school} teacher loads range {lo}–{hi}", hi - lo
            )


RULE = TeacherLoadBalance(
    "teacher_load_balance", "soft", 2,
    zh="同一学校的课后服务课时在老师之间分配均衡。",
    en="After-school hours are spread fairly over a school's teachers.",
    scope="school",
)  # fmt: skip
