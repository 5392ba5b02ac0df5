"""Login by username or phone, clear refusals, throttling, and each role's landing page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _post_login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_login_page_is_chinese_by_default(client):
    response = client.get(reverse("accounts:login"))
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in body
    assert "登录课后服务平台" in body
    assert "用户名或手机号" in body


def test_login_page_in_english_after_switch(client):
    client.post(reverse("accounts:set_language"), {"language": "en", "next": "/accounts/login/"})
    body = client.get(reverse("accounts:login")).content.decode()
    assert "Log in to the after-school service" in body


def test_login_by_username_and_by_phone(client, world):
    response = _post_login(client, "parent1", PASSWORD)
    assert response.status_code == 302 and response.url == reverse("accounts:home")
    client.logout()
    response = _post_login(client, "13800000001", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("accounts:home")).url == reverse("enrollment:parent_home")


def test_wrong_password_gets_a_clear_message_and_no_session(client, world):
    response = _post_login(client, "parent1", "wrong")
    assert response.status_code == 200
    assert "用户名、手机号或密码错误" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_are_throttled_even_with_the_right_password(client, world, settings):
    settings.LOGIN_THROTTLE_MAX_FAILURES = 3
    for _ in range(3):
        _post_login(client, "parent1", "wrong")
    response = _post_login(client, "parent1", PASSWORD)
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("user_attr", "url_name", "needs_school"),
    [
        ("parent_1", "enrollment:parent_home", False),
        ("coordinator_a", "courses:school_home", True),
        ("teacher_a", "courses:teacher_home", False),
        ("partner", "partners:home", False),
        ("bureau", "participation:bureau_home", False),
    ],
)
def test_each_role_lands_on_its_home_page(client, world, user_attr, url_name, needs_school):
    client.force_login(getattr(world.users, user_attr))
    response = client.get(reverse("accounts:home"))
    expected = reverse(url_name, args=[world.school_a.pk] if needs_school else [])
    assert response.status_code == 302 and response.url == expected
    page = client.get(expected)
    assert page.status_code == 200


def test_a_user_without_roles_sees_an_explanation(client, world):
    client.force_login(world.users.nobody)
    body = client.get(reverse("accounts:home")).content.decode()
    assert "尚未分配身份" in body


def test_logout_needs_post_and_password_change_works(client, world):
    client.force_login(world.users.parent_1)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "a-much-longer-pass-9", "new_password2": "a-much-longer-pass-9"},
    )
    assert response.status_code == 302
    client.post(reverse("accounts:logout"))
    assert _post_login(client, "parent1", "a-much-longer-pass-9").status_code == 302


def test_pages_need_login(client, world):
    response = client.get(reverse("enrollment:parent_home"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_staff_without_a_role_lands_in_the_admin(client, world):
    world.users.nobody.is_staff = True
    world.users.nobody.save()
    client.force_login(world.users.nobody)
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302 and response.url == reverse("admin:index")
