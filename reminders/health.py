"""The outbox's section of /healthz: is delivery keeping up?"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Min
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from clinic.models import Clinic
from reminders import channels, services
from reminders.models import OutboxMessage, Status

DELAYED = "outbox_delayed"


def outbox_health(now: datetime | None = None) -> tuple[dict[str, object], str | None]:
    """The oldest due-but-unsent message's age, rows stuck past their lease, paused channels.

    A problem (``outbox_delayed``, so /healthz answers 503) when a due message has
    waited longer than the clinic's ``outbox_alarm_minutes`` (a relay down, no
    worker, a broker that lost its queue), or a channel has been paused that long
    (even with nothing due on it: the next message will wait). For a monitor that
    pages someone, not for a load balancer's liveness check (see the README). A
    fixed number of queries, each served by a partial index of the queue's
    states, however long the history.
    """
    now = now or timezone.now()
    clinic = Clinic.current()
    oldest = _oldest_due(now)
    age = None if oldest is None else max(0, int((now - oldest).total_seconds()))
    stuck = OutboxMessage.objects.filter(
        status=Status.SENDING,
        started_at__lt=now - timedelta(minutes=clinic.sending_lease_minutes),
    ).count()
    alarm = clinic.outbox_alarm_minutes * 60
    paused = services.paused_channels()
    body: dict[str, object] = {
        "oldest_due_seconds": age,
        "stuck_past_lease": stuck,
        "paused_channels": {c: at.isoformat() for c, at in paused.items()},
        "alarm_after_seconds": alarm,
    }
    paused_too_long = any((now - since).total_seconds() > alarm for since in paused.values())
    delayed = (age is not None and age > alarm) or paused_too_long
    return body, DELAYED if delayed else None


def _oldest_due(now: datetime) -> datetime | None:
    """The earliest due time among rows due and not yet sent (pending, queued, sending)."""
    pending = (
        OutboxMessage.objects.filter(status=Status.PENDING, due_at__lte=now)
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )
    found = [pending] if pending else []
    for status in (Status.QUEUED, Status.SENDING):  # the in-flight few
        earliest = OutboxMessage.objects.filter(status=status).aggregate(at=Min("due_at"))["at"]
        if earliest is not None:
            found.append(earliest)
    return min(found, default=None)


def paused_notices(now: datetime | None = None) -> list[str]:
    """What staff read while a channel is paused: "E-mail relay down since 10:42".

    In the clinic's time; the day is named too when the outage began on another day.
    """
    tz = ZoneInfo(settings.TIME_ZONE)
    today = (now or timezone.now()).astimezone(tz).date()
    notices = []
    for channel, since in sorted(services.paused_channels().items()):
        local = since.astimezone(tz)
        # Django's formats (translated month names), not strftime's C-locale "%b".
        at = formats.date_format(local, "H:i" if local.date() == today else "j F H:i")
        if channel == "email":
            notices.append(_("E-mail relay down since %(time)s") % {"time": at})
        elif channel == "sms":
            notices.append(_("SMS gateway down since %(time)s") % {"time": at})
        else:
            label = channels.get(channel).label if channels.is_registered(channel) else channel
            notices.append(_("%(channel)s channel down since %(time)s") % {"channel": label,
                                                                          "time": at})  # fmt: skip
    return notices
