"""The supervision app's models: the register (register.py), the work on it (work.py) and special
campaigns (campaigns.py)."""

from supervision.models.campaigns import Campaign, CampaignGroup, CampaignRound, CampaignVisit
from supervision.models.complaints import (
    Complaint,
    ComplaintEvent,
    ComplaintPupil,
    ComplaintSchoolFeedback,
    PublicAttempt,
)
from supervision.models.conversion import (
    ConversionCase,
    ConversionEvent,
    ConversionMaterial,
    ConversionSetting,
    ConversionVisit,
)
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
    "Campaign",
    "CampaignGroup",
    "CampaignRound",
    "CampaignVisit",
    "CheckItem",
    "CheckList",
    "Complaint",
    "ComplaintEvent",
    "ComplaintPupil",
    "ComplaintSchoolFeedback",
    "Conflict",
    "ConversionCase",
    "ConversionEvent",
    "ConversionMaterial",
    "ConversionSetting",
    "ConversionVisit",
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
    "PublicAttempt",
    "Verification",
]
