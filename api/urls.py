"""``/api/v1/``: every operation of the API, and its OpenAPI schema."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from api.views import me

app_name = "api"

urlpatterns = [
    # The contract, public (it holds no data): tests/api/test_schema.py keeps api/openapi.yaml
    # equal to it.
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path("me/", me.MeView.as_view(), name="me"),
]
