from __future__ import annotations

from ninja import Schema

from core.validation import Text


class TokenIn(Schema):
    username: Text(150, description="username or mobile number")
    password: Text(1024)
    name: Text(100) = ""


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"


class ErrorOut(Schema):
    code: str
    message: str
    message_zh: str
    message_en: str


class ScopeOut(Schema):
    coordinator_schools: list[int]
    teacher_schools: list[int]
    providers: list[int]
    districts: list[int]
    inspector_districts: list[int] = []
    institution_districts: list[int] = []
    families: list[int]


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    roles: list[str]
    scope: ScopeOut
