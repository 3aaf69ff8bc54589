"""Top-level URL configuration: each app's pages through include("app.urls")."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from clinic import views
from clinic.forms import LoginForm

urlpatterns = [
    path("", include("planner.urls")),  # home, reports/, reports/export.csv
    path("healthz", views.healthz, name="healthz"),
    path("csp-report/", views.csp_report, name="csp_report"),
    path("patients/", include("patients.urls")),
    path("courses/", include("courses.urls")),
    path("calendar/", include("courses.calendar_urls")),
    path("", include("reminders.urls")),
    path("", include("portal.urls")),
    path("privacy/", include("privacy.urls")),
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    # Public: logging out asks no permission (an anonymous POST just lands on the login page).
    path("logout/", login_not_required(auth_views.LogoutView.as_view()), name="logout"),
    path("account/api-tokens/", include("api.token_urls")),
    path("account/", include("clinic.accounts.urls")),
    path("api/v1/", include("api.urls")),  # the REST API (issue #18): tokens, not logins
    path("admin/", admin.site.urls),
]

# Unknown addresses and server errors under /api/ are answered as problem details (JSON).
handler404 = "api.problems.not_found"
handler500 = "api.problems.server_error"
