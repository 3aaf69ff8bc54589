"""The message outbox: reminders and notices, sent or failed (read; retry a failed one)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.request import Request
from rest_framework.response import Response

from api.pagination import OutboxCursor
from api.problems import Problem
from api.serializers.base import Period
from api.serializers.outbox import OutboxFilter, OutboxMessageSerializer
from api.serializers.writes import EmptyInput
from api.views.base import ApiView, query
from api.views.planning import IDEMPOTENCY
from reminders import services
from reminders.models import OutboxMessage


class OutboxList(mixins.ListModelMixin, ApiView):
    """Messages by due time; ``date_from``/``date_to`` are the days they are due."""

    read_permission = "reminders.view_failed"
    serializer_class = OutboxMessageSerializer
    pagination_class = OutboxCursor

    def get_queryset(self) -> QuerySet[OutboxMessage]:
        asked = query(self.request, OutboxFilter)
        messages = OutboxMessage.objects.all()
        start, end = Period.bounds(asked)
        if start is not None:
            messages = messages.filter(due_at__gte=start)
        if end is not None:
            messages = messages.filter(due_at__lt=end)
        for name in ("status", "patient"):
            if name in asked:
                messages = messages.filter(**{name: asked[name]})
        return messages

    @extend_schema(operation_id="outbox_list", parameters=[OutboxFilter])
    def get(self, request: Request) -> Response:
        return self.list(request)


class OutboxDetail(mixins.RetrieveModelMixin, ApiView):
    """One message."""

    read_permission = "reminders.view_failed"
    serializer_class = OutboxMessageSerializer
    queryset = OutboxMessage.objects.all()

    @extend_schema(operation_id="outbox_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        return self.retrieve(request, pk=pk)


class OutboxRetry(ApiView):
    """A failed message goes back to the queue, due now (the failed list's retry button)."""

    write_permission = "reminders.retry"
    serializer_class = EmptyInput

    @extend_schema(operation_id="outbox_retry", request=EmptyInput,
                   responses={200: OutboxMessageSerializer}, parameters=[IDEMPOTENCY])  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        def retry() -> Response:
            self.body(EmptyInput)
            message = get_object_or_404(OutboxMessage, pk=pk)
            if not services.retry_failed(message=message, actor=self.actor):
                raise Problem(422, "not_failed", gettext("Only a failed message is retried."))
            message.refresh_from_db()
            return Response(OutboxMessageSerializer(message).data)

        return self.once(retry)
