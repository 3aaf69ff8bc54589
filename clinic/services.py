"""Writes for clinic-wide rows."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from clinic.actors import Actor
from clinic.models import Lot, Practitioner, StockItem, WorkerHeartbeat
from clinic.permissions import require


@transaction.atomic
def record_heartbeat(*, name: str, actor: Actor) -> WorkerHeartbeat:
    """Mark the named worker as alive now."""
    require(actor, "clinic.maintain")
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        name=name, defaults={"seen_at": timezone.now()}
    )
    return heartbeat


@transaction.atomic
def renew_calendar_feed(*, practitioner: Practitioner, actor: Actor) -> str:
    """A new secret feed address; the previous one stops working at once."""
    require(actor, "courses.use_feed", practitioner)
    practitioner.feed_token = secrets.token_urlsafe(32)
    practitioner.save(update_fields=["feed_token"])
    return practitioner.feed_token


@transaction.atomic
def turn_off_calendar_feed(*, practitioner: Practitioner, actor: Actor) -> None:
    require(actor, "courses.use_feed", practitioner)
    practitioner.feed_token = None
    practitioner.save(update_fields=["feed_token"])


def take_spare_needle(device_type_id: int) -> None:
    """One spare needle of the device type out of stock (a cartridge, or a fresh roller), in
    the caller's transaction (the session-day step); a type the clinic keeps no stock of
    counts nothing. The count may go below zero (the needle in hand is the truth): the
    stock list then says to count again."""
    item = StockItem.objects.select_for_update().filter(device_type_id=device_type_id).first()
    if item is not None:
        item.on_hand -= 1
        item.save(update_fields=["on_hand"])


class AlreadyRecalled(Exception):
    """The lot was recalled already (a second click, or another manager first)."""


@transaction.atomic
def recall_lot(*, lot: Lot, reason: str, actor: Actor, now: datetime | None = None) -> Lot:
    """Mark the lot recalled: from now on no session may choose it (``clinic.stock``). The
    lot's row is locked first, so a session choosing it at this moment either finished
    before (and is on the recall list) or is refused."""
    require(actor, "clinic.manage_stock")
    lot = Lot.objects.select_for_update().get(pk=lot.pk)
    if lot.recalled_at is not None:
        raise AlreadyRecalled
    lot.recalled_at, lot.recall_reason, lot.recalled_by = now or timezone.now(), reason, actor
    lot.save(update_fields=["recalled_at", "recall_reason", "recalled_by"])
    return lot
