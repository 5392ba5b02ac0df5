from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/password/", views.password_change_view, name="password_change"),
    path("accounts/password/done/", views.password_change_done_view, name="password_change_done"),
    path("i18n/setlang/", views.set_language_view, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("", views.home, name="home"),
]
