"""A recalled lot's patients are told through the outbox (issue #19).

One message per patient on each channel they chose and consented to (e-mail,
SMS), in their language, written when a manager asks; a second ask queues
nothing new (the outbox's key per lot, patient and channel). The message is
about the patient's latest session that used the lot; what it says is read
when it is sent (``reminders.content``), and it goes only while the lot stands
recalled (``reminders.validity``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from clinic.actors import Actor
from clinic.models import Lot
from clinic.permissions import require
from courses.models import Session
from patients.models import Patient
from reminders.models import Kind, MessageEvent, OutboxMessage
from reminders.services import patient_channels


class NotRecalled(Exception):
    """Patients are told about a lot only once it is marked recalled."""


@dataclass(frozen=True)
class RecallNotices:
    queued: int  # messages written now
    already: int  # patients told before (each of their channels has its message)
    unreachable: list[Patient]  # no channel to write to: staff call them


def _latest_sessions(lot: Lot) -> dict[int, Session]:
    """Each patient's latest session that used the lot, by patient id."""
    latest: dict[int, Session] = {}
    sessions = (
        Session.objects.filter(procedure__lot=lot)
        .select_related("patient")
        .order_by("patient_id", "-arrives_at")
    )
    for session in sessions:
        latest.setdefault(session.patient_id, session)
    return latest


@transaction.atomic
def queue_recall_notices(*, lot: Lot, actor: Actor, now: datetime | None = None) -> RecallNotices:
    """Write the recall notice for every patient treated with the lot (see the module)."""
    require(actor, "clinic.manage_stock")
    lot = Lot.objects.select_for_update().get(pk=lot.pk)
    if lot.recalled_at is None:
        raise NotRecalled
    now = now or timezone.now()
    queued = already = 0
    unreachable = []
    for session in _latest_sessions(lot).values():
        channels = patient_channels(session.patient)
        if not channels:
            unreachable.append(session.patient)
        written = [
            _create_notice(lot, session, channel, address, now) for channel, address in channels
        ]
        queued += sum(written)
        already += bool(channels) and not any(written)
    return RecallNotices(queued=queued, already=already, unreachable=unreachable)


def _create_notice(lot: Lot, session: Session, channel: str, address: str, now: datetime) -> bool:
    message, created = OutboxMessage.objects.get_or_create(
        dedupe_key=f"recall:{lot.pk}:{session.patient_id}:{channel}",
        defaults={
            "kind": Kind.LOT_RECALL, "channel": channel, "recipient": address,
            "patient_id": session.patient_id, "course_id": session.course_id, "session": session,
            "due_at": now, "created_at": now,
        },
    )  # fmt: skip
    if created:
        MessageEvent.objects.create(
            message=message, event="created", detail=f"lot {lot.pk} recalled; due now", at=now
        )
    return created
