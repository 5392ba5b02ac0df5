"""统一社会信用代码 (unified social credit code, GB 32100-2015): format and check digits. Pure Python.

18 characters: 登记管理部门 (1), 机构类别 (1), 登记管理机关行政区划码 (6 digits), 主体标识码
(the 9-character organisation code of GB 11714, itself ending in a check character) and the
check character over the first 17. The alphabet has 31 characters (no I, O, S, V, Z).
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# 登记管理部门代码 → the 机构类别 codes it may use (GB 32100-2015 table 1, the common ones).
REGISTRARS = {
    "1": "1239",  # 机构编制
    "5": "1239",  # 民政 (社会团体, 民办非企业单位 = 2, 基金会)
    "9": "123",  # 工商 (企业, 个体工商户, 农民专业合作社)
    "Y": "1",  # 其他
}
MESSAGES = {
    "length": "must have exactly 18 characters",
    "alphabet": "may only hold digits and capital letters other than I, O, S, V and Z",
    "registrar": "does not start with a known registration authority and organisation type",
    "region": "characters 3 to 8 must be the six digits of an administrative division code",
    "org_check": "the organisation code (characters 9 to 17) has a wrong check character",
    "check": "the check character (the 18th) is wrong",
}


def normalise(value: str) -> str:
    """Upper case, no spaces (people paste codes with spaces or in lower case)."""
    return "".join(str(value or "").split()).upper()


def org_check_char(body8: str) -> str:
    """The 9th character of a GB 11714 organisation code over its first 8 characters."""
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(body8, ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def check_char(body17: str) -> str:
    """The 18th character over the first 17."""
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(body17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(value: str) -> str | None:
    """The key of the first thing wrong with a (normalised) code, or None when it is valid."""
    code = normalise(value)
    if len(code) != 18:
        return "length"
    if any(ch not in ALPHABET for ch in code):
        return "alphabet"
    if code[1] not in REGISTRARS.get(code[0], ""):
        return "registrar"
    if not code[2:8].isdigit():
        return "region"
    if org_check_char(code[8:16]) != code[16]:
        return "org_check"
    if check_char(code[:17]) != code[17]:
        return "check"
    return None


def is_valid(value: str) -> bool:
    return problem(value) is None


def make(registrar: str, kind: str, region: str, org8: str) -> str:
    """A valid code from its parts (demo data and tests): the two check characters are computed."""
    body = registrar + kind + region + org8 + org_check_char(org8)
    return body + check_char(body)
