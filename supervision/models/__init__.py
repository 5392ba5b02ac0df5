"""The supervision app's models: the register (register.py) and the work on it (work.py)."""

from supervision.models.register import (
    Conflict,
    Department,
    Grade,
    GradeChange,
    Inspector,
    Institution,
    InstitutionAccount,
    InstitutionChange,
    InstitutionTeacher,
)
from supervision.models.work import (
    CheckItem,
    CheckList,
    Inspection,
    InspectionPhoto,
    ItemResult,
    Notice,
    NoticeItem,
    Plan,
    PlanAssignment,
    PlanTarget,
    Verification,
)

__all__ = [
    "CheckItem",
    "CheckList",
    "Conflict",
    "Department",
    "Grade",
    "GradeChange",
    "Inspection",
    "InspectionPhoto",
    "Inspector",
    "Institution",
    "InstitutionAccount",
    "InstitutionChange",
    "InstitutionTeacher",
    "ItemResult",
    "Notice",
    "NoticeItem",
    "Plan",
    "PlanAssignment",
    "PlanTarget",
    "Verification",
]
