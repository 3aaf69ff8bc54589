from __future__ import annotations

from rest_framework import serializers


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    permissions = serializers.ListField(child=serializers.CharField())
    token = serializers.CharField(help_text="The token's visible prefix.")
    read_only = serializers.BooleanField()  # type: ignore[assignment]
