"""Why no timetable exists: the few requirements that clash, as sentences with links to fix them.

Uses the engine's ``scheduling.solver.explain.explain(problem)`` (an ``Explanation`` whose
``clashes`` are Violations); if it is missing or fails, a small fallback in this module asks CP-SAT for a sufficient set of clashing
requirement groups of the explain-mode model (``model.build(problem, explain=True)``).
Either way the result is normalised to a list of plain dicts that are stored on the SolveRun.
"""

from __future__ import annotations

import logging
from typing import Any

from django.urls import NoReverseMatch, reverse

from scheduling.adapters import Built, humanize
from scheduling.solver.rules import RULES

log = logging.getLogger(__name__)

# where each kind of solver id is edited: the coordinator's set-up pages (courses app), with the
# admin for what has no set-up page (classes come from the pupil import)
SETUP_PAGES = {
    "slot": ("courses:setup_grid", False),
    "room": ("courses:setup_room", True),
    "teacher": ("courses:setup_teacher", True),
    "section": ("enrollment:section_edit", True),
}
ADMIN_PAGES = {"class": "admin:courses_schoolclass_change"}


def edit_link(solver_id: str, school_id: int) -> str | None:
    kind, _, rest = solver_id.partition(":")
    if not rest.isdigit():
        return None
    try:
        if kind in SETUP_PAGES:
            name, with_id = SETUP_PAGES[kind]
            return reverse(name, args=[school_id, int(rest)] if with_id else [school_id])
        if kind in ADMIN_PAGES:
            return reverse(ADMIN_PAGES[kind], args=[int(rest)])
    except NoReverseMatch:
        return None
    return None


def _field(item: Any, *names: str, default: Any = None) -> Any:
    for n in names:
        if isinstance(item, dict) and n in item:
            return item[n]
        if hasattr(item, n):
            return getattr(item, n)
    return default


def _normalise(items: Any, built: Built) -> list[dict[str, Any]]:
    out = []
    if items is None:
        return out
    if not isinstance(items, list | tuple):
        items = _field(items, "clashes", "requirements", "conflicts", "violations", default=[items])
    for item in items:
        rule_id = _field(item, "rule_id", "rule", default="")
        subjects = tuple(str(s) for s in (_field(item, "subjects", default=()) or ()))
        rule = RULES.get(rule_id)
        zh = _field(item, "message_zh", "zh", default=None) or (rule.zh if rule else rule_id)
        en = _field(item, "message_en", "en", default=None) or (rule.en if rule else rule_id)
        out.append(
            {
                "rule_id": rule_id,
                "rule_zh": rule.zh if rule else "",
                "rule_en": rule.en if rule else "",
                "zh": humanize(str(zh), built.labels),
                "en": humanize(str(en), built.labels),
                "subjects": [
                    {"id": s, "label": built.labels.get(s, s), "url": edit_link(s, built.school.pk)}
                    for s in subjects
                    if not s.isdigit()
                ],
            }
        )
    return out


def _fallback(built: Built, time_limit: float) -> list[tuple[str, tuple[str, ...]]]:
    from ortools.sat.python import cp_model

    from scheduling.solver.model import build

    mdl = build(built.problem, explain=True)
    mdl.cp.clear_objective()
    keys = list(mdl.lits)
    mdl.cp.add_assumptions([mdl.lits[k] for k in keys])
    by_index = {mdl.lits[k].index: k for k in keys}
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = time_limit
    if solver.solve(mdl.cp) != cp_model.INFEASIBLE:
        return []
    return [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index]


def explanation_for(built: Built, *, time_limit: float = 10.0) -> list[dict[str, Any]]:
    """The clashing requirements of an infeasible problem, ready to store and show."""
    try:
        from scheduling.solver.explain import explain  # type: ignore[import-not-found]
    except ImportError:
        explain = None
    if explain is not None:
        try:
            return _normalise(explain(built.problem, time_limit=time_limit), built)
        except Exception:  # the engine is young: never lose the run over its explanation
            log.exception("solver explain() failed; using the fallback")
    keys = _fallback(built, time_limit)
    items = []
    for rule_id, subjects in keys:
        rule = RULES.get(rule_id)
        names = "、".join(built.labels.get(s, s) for s in subjects if not s.isdigit())
        names_en = ", ".join(built.labels.get(s, s) for s in subjects if not s.isdigit())
        items.append(
            {
                "rule_id": rule_id,
                "subjects": subjects,
                "zh": f"{rule.zh if rule else rule_id}（{names}）" if names else (rule.zh if rule else rule_id),
                "en": f"{rule.en if rule else rule_id} ({names_en})" if names_en else (rule.en if rule else rule_id),
            }
        )
    return _normalise(items, built)
