"""Who the token acts as: its user's roles and permissions, and whether it is read-only."""

from __future__ import annotations

from typing import cast

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api.models import ApiToken
from api.serializers.me import MeSerializer
from api.views.base import ApiView
from clinic.permissions import PERMISSIONS, ROLES


class MeView(ApiView):
    read_permission = "accounts.own_account"
    serializer_class = MeSerializer

    @extend_schema(operation_id="me", summary="The token's user, roles and permissions")
    def get(self, request: Request) -> Response:
        user = request.user
        groups = set(user.groups.values_list("name", flat=True))
        token = cast(ApiToken, request.auth)
        data = {
            "username": user.get_username(),
            "roles": [role for role in ROLES if role in groups],
            "permissions": sorted(name for name in PERMISSIONS if user.has_perm(name)),
            "token": f"cpl_{token.prefix}",
            "read_only": token.read_only,
        }
        return Response(MeSerializer(data).data)
