"""GB 32100-2015 codes: real ones pass, one changed character fails with the right reason."""

from __future__ import annotations

from supervision import credit_code


def test_real_codes_are_valid():
    for code in ["91350100M000100Y43", "911101085923662400", "91310000775785552L"]:
        assert credit_code.problem(code) is None, code


def test_each_kind_of_mistake_is_named():
    assert credit_code.problem("9135010") == "length"
    assert credit_code.problem("91350100M000100YI3") == "alphabet"
    assert credit_code.problem("X1350100M000100Y43") == "registrar"
    assert credit_code.problem("81350100M000100Y43") == "registrar"
    assert credit_code.problem("9135A100M000100Y43") == "region"
    assert credit_code.problem("91350100M000100Y44") == "check"
    assert credit_code.problem("91350100M000101Y43") == "org_check"


def test_make_builds_valid_codes_and_normalise_accepts_spaces():
    code = credit_code.make("5", "2", "320506", "MJ000001")
    assert credit_code.is_valid(code)
    assert credit_code.is_valid(" " + code[:9].lower() + " " + code[9:])
