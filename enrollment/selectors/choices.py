"""The ranked-choice form's options as a parent reads them: day, time, seats and fee of each
section, and a warning when it meets at the same time as a seat the child already holds."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from courses.models import Section
from enrollment.models import Enrollment, Student
from enrollment.selectors.meetings import Meeting, meetings_clash


@dataclass(frozen=True)
class ChoiceOption:
    section: Section
    label: str
    clashes_with: list[str] = field(default_factory=list)


def _times(meetings: list[Meeting]) -> str:
    if not meetings:
        return _("times not published yet")
    return "、".join(
        f"{m.weekday_label} {m.start:%H:%M}–{m.end:%H:%M}" if m.start and m.end else m.weekday_label for m in meetings
    )


def choice_options(*, student: Student, items: list) -> list[ChoiceOption]:
    """One option per catalogue item (`CatalogueItem`: section, meetings, seats_left), in its order."""
    held = list(
        Enrollment.objects.filter(student=student, status=Enrollment.Status.ENROLLED).select_related("section__course")
    )
    from enrollment import selectors  # the package's name, as the catalogue reads it

    held_times = selectors.section_times([e.section_id for e in held])
    options = []
    for item in items:
        section = item.section
        fee = section.course.fee_per_class_hour
        parts = [
            f"{section.course.title} · {section.code}",
            _times(item.meetings),
            _("%(n)s seats left") % {"n": item.seats_left},
            _("%(fee)s yuan per class hour") % {"fee": fee} if fee else _("free"),
        ]
        clashes = [
            e.section.course.title
            for e in held
            if e.section_id != section.pk and meetings_clash(item.meetings, held_times.get(e.section_id, []))
        ]
        if clashes:
            parts.append(_("⚠ same time as %(courses)s") % {"courses": "、".join(clashes)})
        options.append(ChoiceOption(section=section, label=" · ".join(parts), clashes_with=clashes))
    return options


def catalogue_groups(items: list) -> list[dict]:
    """The catalogue as a parent scans it: by kind of course (the order the sections come in),
    then by the first weekday a section meets; sections without published times come last."""
    from courses.models import WEEKDAY_CHOICES

    days = dict(WEEKDAY_CHOICES)
    groups: dict[str, dict] = {}
    for item in items:
        kind = item.course.kind
        group = groups.setdefault(kind, {"kind": kind, "label": item.course.get_kind_display(), "days": {}})
        weekday = min((m.weekday for m in item.meetings), default=None)
        label = str(days.get(weekday, "")) if weekday is not None else _("times to be announced")
        group["days"].setdefault(9 if weekday is None else weekday, {"label": label, "items": []})["items"].append(item)
    return [
        {
            **g,
            "days": [g["days"][k] for k in sorted(g["days"])],
            "count": sum(len(d["items"]) for d in g["days"].values()),
        }
        for g in groups.values()
    ]
