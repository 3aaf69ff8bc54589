"""A circuit breaker per channel: a relay or gateway that is down pauses its channel.

After the clinic's ``breaker_failures`` temporary failures in a row on one
channel (any messages), the channel is paused: the dispatcher claims nothing on
it but one probe message every ``breaker_probe_seconds``, and a message that
fails while the channel is down gets its attempt back (attempts are for the
message's own errors, not the relay's). The first success closes it.

The state is a row per channel (``ChannelState``), written when a send fails
and when a success follows failures, never on every success: each process
reads the rows at most once a second to know whether a success must reset them.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from django.db import transaction

from clinic.actors import Actor
from clinic.models import Clinic
from reminders.models import ChannelState

logger = logging.getLogger(__name__)

# How stale this process's view of the channels may be when a send succeeds.
STATE_CACHE_SECONDS = 1.0
_cache: dict[str, object] = {}


def _states() -> dict[str, ChannelState]:
    now = time.monotonic()
    if _cache.get("until", 0.0) < now:  # type: ignore[operator]
        _cache["states"] = {s.channel: s for s in ChannelState.objects.all()}
        _cache["until"] = now + STATE_CACHE_SECONDS
    return _cache["states"]  # type: ignore[return-value]


def forget() -> None:
    """Read the rows again at the next success (after a write of ours, and in tests)."""
    _cache.clear()


def paused() -> dict[str, ChannelState]:
    """The paused channels' rows, read now, in the channels' order (a stable probe order)."""
    rows = ChannelState.objects.filter(paused_since__isnull=False).order_by("channel")
    return {s.channel: s for s in rows}


@transaction.atomic
def record_failure(*, channel: str, now: datetime, clinic: Clinic, actor: Actor) -> bool:
    """Count a temporary failure on ``channel``; True when the channel is (now) paused.

    Part of ``deliver``'s outcome (its actor, the send task's). A failure while
    paused (the probe) leaves the next probe where taking this one put it: the
    interval counts from when a probe is taken, not from when a slow relay
    finally refused it, so probes keep to the clinic's interval.
    """
    state, _ = ChannelState.objects.select_for_update().get_or_create(channel=channel)
    state.failures += 1
    probe_in = timedelta(seconds=clinic.breaker_probe_seconds)
    if state.paused_since is None and state.failures >= clinic.breaker_failures:
        state.paused_since, state.probe_at = now, now + probe_in
        logger.warning("the %s channel is paused (failures in a row: %s)", channel,
                       state.failures)  # fmt: skip
    elif state.paused_since is not None and state.probe_at is None:
        state.probe_at = now + probe_in
    state.updated_at = now
    state.save()
    forget()
    return state.paused_since is not None


def record_success(*, channel: str, now: datetime) -> None:
    """A message went out on ``channel``: reset its failures and resume it, if it had any.

    Part of ``deliver``'s outcome write. Writes nothing when the channel had no
    failures (as this process last read it, at most a second ago).
    """
    state = _states().get(channel)
    if state is None or (state.failures == 0 and state.paused_since is None):
        return
    ChannelState.objects.filter(channel=channel).update(
        failures=0, paused_since=None, probe_at=None, updated_at=now
    )
    if state.paused_since is not None:
        logger.warning("the %s channel is resumed", channel)
    forget()


def paused_since_claim(*, channel: str, claimed_at: datetime | None) -> bool:
    """Whether ``channel`` was paused after this message was claimed (as this process
    last read it, at most a second ago).

    Such a message was queued before the relay went down and is not the probe
    (a probe is claimed while the channel is paused): sending it would only
    knock on the closed relay once more, so ``deliver`` holds it untried.
    """
    state = _states().get(channel)
    return (
        state is not None
        and state.paused_since is not None
        and claimed_at is not None
        and claimed_at < state.paused_since
    )


def probe_again(*, channel: str, claimed_at: datetime | None, now: datetime) -> None:
    """A probe that sent nothing (its moment had passed) frees the next probe at once.

    Part of ``deliver``'s outcome write. Otherwise a backlog whose oldest
    messages have expired would resume one message per probe interval. Only
    for the probe (claimed while the channel was paused, as this process last
    read it): a message queued before the pause is not one.
    """
    state = _states().get(channel)
    if (
        state is not None
        and state.paused_since is not None
        and claimed_at is not None
        and claimed_at >= state.paused_since
    ):
        probe_at_once(channel=channel, now=now)


def probe_at_once(*, channel: str, now: datetime) -> None:
    """The next dispatcher tick may probe ``channel`` (while it is paused)."""
    ChannelState.objects.filter(channel=channel, paused_since__isnull=False).update(probe_at=now)
    forget()


# At most this much before its time, a probe goes at the dispatcher's tick.
PROBE_EARLY = timedelta(seconds=5)


def take_probes(*, now: datetime, clinic: Clinic) -> tuple[set[str], set[str]]:
    """(paused channels, those of them whose probe is due now and is ours to send).

    Part of ``claim_due``'s write. A probe is taken by one dispatcher only: the
    probe time moves on by a conditional update, which one claimant wins.
    """
    held = paused()
    probing = set()
    interval = timedelta(seconds=clinic.breaker_probe_seconds)
    next_probe = now + interval
    # Beat's ticks come a little early or late: a probe due within this much of a
    # tick goes at that tick, not one tick later (a 60-second interval on the
    # minute's tick would otherwise probe every other minute).
    early = min(PROBE_EARLY, interval / 10)
    for channel, state in held.items():
        if state.probe_at is not None and state.probe_at > now + early:
            continue
        if ChannelState.objects.filter(pk=state.pk, probe_at=state.probe_at).update(
            probe_at=next_probe
        ):
            probing.add(channel)
    return set(held), probing
