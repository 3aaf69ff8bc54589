"""The sign-in pages under /account/."""

from django.urls import path

from clinic.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.account, name="account"),
    path("language/", views.language, name="language"),
    path("verify/", views.verify, name="verify"),
    path("two-step/", views.mfa, name="mfa"),
    path("two-step/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("sessions/<int:session_id>/end/", views.end_session, name="end_session"),
    path("sessions/end-others/", views.end_other_sessions, name="end_other_sessions"),
]
