"""Delivery recovery: queued versus started rows, dead workers, and the channel circuit breaker.

Time is frozen (time-machine) and the dispatcher and send task are called
directly; the relay is Django's in-memory mail outbox, or down with 451.
"""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from clinic.actors import SystemActor, system_actor
from clinic.models import Clinic
from reminders import services as outbox
from reminders import tasks, workers
from reminders.models import ChannelState, Kind, MessageEvent, OutboxMessage, Status
from tests.reminders import relay


def worker():
    return system_actor(SystemActor.REMINDERS)


@pytest.fixture
def relay_up(settings):
    settings.EMAIL_BACKEND = "tests.reminders.relay.RelayBackend"
    relay.state.update(down=False, refused=0, rcpt={}, **{"raise": None})
    yield relay.state
    relay.state.update(down=False, rcpt={}, **{"raise": None})


def settings_of_clinic(**values):
    clinic = Clinic.current()
    for name, value in values.items():
        setattr(clinic, name, value)
    clinic.save()


def dead_process_id():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def status_of(pk):
    return OutboxMessage.objects.get(pk=pk).status


def events_of(pk):
    return list(MessageEvent.objects.filter(message_id=pk).values_list("event", "detail"))


def test_a_claimed_row_is_queued_until_the_send_task_starts_it(letters, relay_up):
    pk = letters[0]
    assert pk in outbox.claim_due(actor=worker())
    assert status_of(pk) == Status.QUEUED
    assert outbox.deliver(pk, actor=worker()) == Status.SENT
    row = OutboxMessage.objects.get(pk=pk)
    assert (row.status, row.started_by) == (Status.SENT, workers.current_starter())
    assert row.started_at == timezone.now()
    assert outbox.deliver(pk, actor=worker()) == "skipped"  # the task delivered twice
    assert len(mail.outbox) == 1


def test_a_send_task_for_a_row_nobody_claimed_sends_nothing(letters, relay_up):
    assert outbox.deliver(letters[0], actor=worker()) == "skipped"
    assert status_of(letters[0]) == Status.PENDING
    assert mail.outbox == []


def test_a_queued_row_never_started_is_published_again_after_the_requeue_time(
    letters, time_machine
):
    claimed_at = timezone.now()
    assert len(outbox.claim_due(actor=worker())) == len(letters)
    time_machine.move_to(claimed_at + timedelta(seconds=59), tick=False)
    assert outbox.claim_due(actor=worker()) == []  # the broker may still hold them
    time_machine.move_to(claimed_at + timedelta(seconds=61), tick=False)
    assert sorted(outbox.claim_due(actor=worker())) == sorted(letters)
    row = OutboxMessage.objects.get(pk=letters[0])
    assert (row.status, row.attempts, row.claimed_at) == (Status.QUEUED, 1, timezone.now())
    assert events_of(row.pk)[-1][0] == "re-published"


def test_the_requeue_time_is_the_clinics(letters, time_machine):
    settings_of_clinic(requeue_after_seconds=20)
    claimed_at = timezone.now()
    outbox.claim_due(actor=worker())
    time_machine.move_to(claimed_at + timedelta(seconds=21), tick=False)
    assert len(outbox.claim_due(actor=worker())) == len(letters)


def test_the_in_flight_cap_is_not_blocked_by_rows_the_broker_lost(
    letters, time_machine, monkeypatch
):
    monkeypatch.setattr(outbox, "MAX_IN_FLIGHT", 4)
    claimed_at = timezone.now()
    first = outbox.claim_due(actor=worker(), limit=3)
    assert outbox.claim_due(actor=worker(), limit=3) == [letters[3]]  # the cap: one more
    assert outbox.claim_due(actor=worker()) == []
    time_machine.move_to(claimed_at + timedelta(seconds=61), tick=False)
    # All four are stale: none of them counts as in flight, so the cap has room again.
    again = outbox.claim_due(actor=worker())
    assert sorted(again) == sorted([*first, letters[3]])


def test_stale_rows_the_broker_still_holds_count_against_the_cap_and_are_not_republished(
    letters, time_machine, monkeypatch
):
    monkeypatch.setattr(outbox, "MAX_IN_FLIGHT", 4)
    claimed_at = timezone.now()
    outbox.claim_due(actor=worker(), limit=4)
    time_machine.move_to(claimed_at + timedelta(seconds=61), tick=False)
    assert outbox.claim_due(actor=worker(), republish_stale=False) == []  # slow workers
    assert outbox.count_queued() == 4
    assert not MessageEvent.objects.filter(event="re-published").exists()


def test_started_rows_count_against_the_cap_within_the_lease(letters, time_machine, monkeypatch):
    monkeypatch.setattr(outbox, "MAX_IN_FLIGHT", 2)
    claimed_at = timezone.now()
    claimed = outbox.claim_due(actor=worker())
    OutboxMessage.objects.filter(pk__in=claimed).update(
        status=Status.SENDING, started_at=claimed_at, started_by="elsewhere/boot/1/1"
    )
    time_machine.move_to(claimed_at + timedelta(minutes=5), tick=False)
    assert outbox.claim_due(actor=worker()) == []  # started within the lease: in flight
    time_machine.move_to(claimed_at + timedelta(minutes=11), tick=False)
    assert sorted(outbox.claim_due(actor=worker())) == sorted(claimed)  # the lease ran out


def test_rows_started_by_a_dead_worker_of_this_host_go_back_at_once(letters):
    dead, alive = letters[0], letters[1]
    elsewhere = letters[2]
    outbox.claim_due(actor=worker())
    starters = {
        dead: f"{workers.host_prefix()}{dead_process_id()}/1",
        alive: workers.current_starter(),
        elsewhere: "another-host/boot/1/1",
    }
    for pk, starter in starters.items():
        OutboxMessage.objects.filter(pk=pk).update(
            status=Status.SENDING, started_at=timezone.now(), started_by=starter
        )
    assert outbox.reclaim_dead_workers(actor=worker()) == 1
    statuses = [status_of(pk) for pk in (dead, alive, elsewhere)]
    assert statuses == [Status.PENDING, Status.SENDING, Status.SENDING]
    assert events_of(dead)[-1] == ("reclaimed", "its worker died")
    assert dead in outbox.claim_due(actor=worker())  # due already: claimed on the same tick


def test_a_starting_worker_reclaims_its_hosts_dead_workers_rows(letters):
    outbox.claim_due(actor=worker())
    OutboxMessage.objects.filter(pk=letters[0]).update(
        status=Status.SENDING, started_by=f"{workers.host_prefix()}{dead_process_id()}/1"
    )
    tasks.reclaim_on_worker_start(sender=None)
    assert status_of(letters[0]) == Status.PENDING


def test_a_task_handed_back_after_its_worker_died_sends_at_once(letters, relay_up):
    pk, busy = letters[0], letters[1]
    outbox.claim_due(actor=worker())
    OutboxMessage.objects.filter(pk=pk).update(
        status=Status.SENDING, started_by=f"{workers.host_prefix()}{dead_process_id()}/1"
    )
    parent = os.getppid()  # a live process of this host, not this one
    OutboxMessage.objects.filter(pk=busy).update(
        status=Status.SENDING, started_by=f"{workers.host_prefix()}{parent}/{_ticks(parent)}"
    )
    assert outbox.deliver(pk, actor=worker()) == Status.SENT
    assert ("reclaimed", "its worker died") in events_of(pk)
    assert outbox.deliver(busy, actor=worker()) == "skipped"  # its worker still runs
    assert len(mail.outbox) == 1


def _ticks(pid):
    return open(f"/proc/{pid}/stat").read().rpartition(")")[2].split()[19]


def test_a_worker_is_told_apart_by_host_boot_and_process_start():
    me = workers.current_starter()
    host, boot, pid, ticks = me.split("/")
    assert not workers.is_dead_here(me)
    assert workers.is_dead_here(f"{host}/{boot}/{pid}/{int(ticks) + 1}")  # the id was reused
    assert workers.is_dead_here(f"{host}/an-earlier-boot/{pid}/{ticks}")
    assert not workers.is_dead_here(f"other-{host}/{boot}/{dead_process_id()}/1")
    # Another container with this host name and kernel, but its own process table:
    name = host.partition("@")[0]
    assert "@" in host  # this machine's process namespace is part of the host
    assert not workers.is_dead_here(f"{name}@1/{boot}/{dead_process_id()}/1")


# --- The circuit breaker ---------------------------------------------------------


def send_due(at=None):
    """One dispatcher tick and the send of everything it claimed; the outcomes."""
    return [outbox.deliver(pk, actor=worker(), now=at) for pk in outbox.claim_due(actor=worker())]


def test_a_relay_down_pauses_its_channel_after_the_clinics_number_of_failures(letters, relay_up):
    settings_of_clinic(breaker_failures=3)
    relay_up["down"] = True
    outcomes = send_due()
    assert outcomes[:2] == ["retry", "retry"]
    assert set(outcomes[2:]) == {"held"}
    assert outbox.paused_channels() == {"email": timezone.now()}
    held = OutboxMessage.objects.get(pk=letters[5])
    assert (held.status, held.attempts) == (Status.PENDING, 0)  # its attempt given back
    assert "paused" in held.last_error
    assert mail.outbox == []


def test_messages_queued_before_the_pause_are_held_without_knocking_on_the_relay(
    letters, relay_up, time_machine
):
    settings_of_clinic(breaker_failures=3)
    start = timezone.now()
    queued = outbox.claim_due(actor=worker())  # all twelve in the broker
    relay_up["down"] = True
    time_machine.move_to(start + timedelta(seconds=1), tick=False)
    outcomes = [outbox.deliver(pk, actor=worker()) for pk in queued]
    assert outcomes[:2] == ["retry", "retry"]
    assert set(outcomes[2:]) == {"held"}
    assert relay_up["refused"] == 3  # the three that opened the breaker; the rest untried
    untried = OutboxMessage.objects.get(pk=queued[-1])
    assert (untried.status, untried.attempts) == (Status.PENDING, 0)
    assert "paused after this message was queued" in untried.last_error


def test_a_paused_channel_gets_one_probe_per_interval_and_a_success_resumes_it(
    letters, relay_up, time_machine
):
    settings_of_clinic(breaker_failures=3, breaker_probe_seconds=60)
    relay_up["down"] = True
    start = timezone.now()
    send_due()
    assert outbox.claim_due(actor=worker()) == []  # paused: nothing claimed on e-mail
    time_machine.move_to(start + timedelta(seconds=61), tick=False)
    assert send_due() == ["held"]  # the probe, still refused
    assert outbox.claim_due(actor=worker()) == []
    time_machine.move_to(start + timedelta(seconds=122), tick=False)
    relay_up["down"] = False
    assert send_due() == [Status.SENT]  # the probe goes: the channel resumes
    assert outbox.paused_channels() == {}
    assert ChannelState.objects.get(channel="email").failures == 0
    time_machine.move_to(start + timedelta(minutes=30), tick=False)  # past the retry delays
    send_due()
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.SENT}
    assert len(mail.outbox) == len(letters)


def test_an_outage_of_half_an_hour_fails_nothing_and_everything_goes_after(
    letters, relay_up, time_machine
):
    start = timezone.now()
    relay_up["down"] = True
    for minute in range(30):  # the dispatcher's ticks, every minute
        time_machine.move_to(start + timedelta(minutes=minute), tick=False)
        send_due()
        assert not OutboxMessage.objects.filter(status=Status.FAILED).exists()
    assert "email" in outbox.paused_channels()
    relay_up["down"] = False
    for minute in range(30, 60):
        time_machine.move_to(start + timedelta(minutes=minute), tick=False)
        send_due()
    statuses = list(OutboxMessage.objects.values_list("status", flat=True))
    assert statuses == [Status.SENT] * len(letters)
    assert len(mail.outbox) == len(letters)  # no duplicate either


def test_a_reminder_held_through_an_outage_past_its_session_expires(booked, relay_up, time_machine):
    settings_of_clinic(breaker_failures=1)
    first = booked.sessions.get(number=1)
    reminder = OutboxMessage.objects.get(session=first, kind=Kind.REMINDER_48H, channel="email")
    OutboxMessage.objects.exclude(pk=reminder.pk).delete()
    time_machine.move_to(reminder.due_at, tick=False)
    relay_up["down"] = True
    assert send_due() == ["held"]
    time_machine.move_to(first.arrives_at + timedelta(minutes=5), tick=False)  # still down
    relay_up["down"] = False
    assert send_due() == []  # the dispatcher finds the probe's moment passed: nothing to send
    reminder.refresh_from_db()
    assert (reminder.status, reminder.last_error) == (Status.EXPIRED, "the session has started")
    assert mail.outbox == []


def _pause_with_an_expired_head(letters, relay_up, head):
    """E-mail paused, probe due now; the ``head`` oldest letters no longer worth sending."""
    settings_of_clinic(breaker_failures=1, breaker_probe_seconds=3600)
    relay_up["down"] = True
    send_due()  # paused; everything held
    # "Course completed" for a course that is not: cancelled at send time.
    OutboxMessage.objects.filter(pk__in=letters[:head]).update(
        kind=Kind.COURSE_COMPLETED, due_at=timezone.now() - timedelta(days=1)
    )
    ChannelState.objects.update(probe_at=timezone.now())
    relay_up["down"] = False


def test_the_dispatcher_ends_an_outages_expired_head_and_probes_with_a_message_worth_sending(
    booked, letters, relay_up
):
    _pause_with_an_expired_head(letters, relay_up, head=6)
    assert send_due() == [Status.SENT]  # one tick: the probe went, and the channel resumed
    assert outbox.paused_channels() == {}
    assert {status_of(pk) for pk in letters[:6]} == {Status.CANCELLED}
    assert events_of(letters[0])[-1] == ("cancelled", "the course is no longer completed")


def test_a_head_longer_than_one_scan_lets_the_next_tick_probe_at_once(
    booked, letters, relay_up, monkeypatch
):
    monkeypatch.setattr(outbox, "PROBE_SCAN", 4)
    _pause_with_an_expired_head(letters, relay_up, head=6)
    assert send_due() == []  # four ended, no probe yet...
    assert ChannelState.objects.get().probe_at == timezone.now()
    assert outbox.backlog_waiting()  # ...so the dispatcher looks again at once
    assert send_due() == [Status.SENT]


def test_a_message_queued_before_the_pause_that_expires_does_not_free_the_probe(
    booked, letters, relay_up, time_machine
):
    settings_of_clinic(breaker_failures=1, breaker_probe_seconds=3600)
    start = timezone.now()
    outbox.claim_due(actor=worker())  # all twelve queued before the relay goes down
    OutboxMessage.objects.filter(pk=letters[1]).update(kind=Kind.COURSE_COMPLETED)
    relay_up["down"] = True
    time_machine.move_to(start + timedelta(seconds=1), tick=False)
    assert outbox.deliver(letters[0], actor=worker()) == "held"  # paused
    probe_at = ChannelState.objects.get().probe_at
    assert outbox.deliver(letters[1], actor=worker()) == Status.CANCELLED  # not the probe
    assert ChannelState.objects.get().probe_at == probe_at


# --- A paused channel's re-published and lease-expired rows ------------------------


def test_rows_of_a_paused_channel_are_not_republished_or_reclaimed_except_as_the_probe(
    letters, relay_up, time_machine
):
    settings_of_clinic(breaker_failures=2, breaker_probe_seconds=400)
    start = timezone.now()
    queued = outbox.claim_due(actor=worker())  # twelve queued; the broker loses ten of them
    relay_up["down"] = True
    time_machine.move_to(start + timedelta(seconds=1), tick=False)
    assert [outbox.deliver(pk, actor=worker()) for pk in queued[:2]] == ["retry", "held"]
    OutboxMessage.objects.filter(pk=queued[2]).update(
        status=Status.SENDING, started_at=start, started_by="another-host/boot/1/1"
    )
    time_machine.move_to(start + timedelta(minutes=7), tick=False)  # probe due, lease not out
    OutboxMessage.objects.filter(status=Status.PENDING).update(status=Status.CANCELLED)
    relay_up["refused"] = 0
    probe = outbox.claim_due(actor=worker())
    assert len(probe) == 1  # one stale queued row, as the probe; not the other nine
    assert outbox.deliver(probe[0], actor=worker()) == "held"
    time_machine.move_to(start + timedelta(minutes=12), tick=False)  # the lease ran out too
    assert outbox.claim_due(actor=worker()) == []  # the next probe is not due yet
    assert relay_up["refused"] == 1
    relay_up["down"] = False
    time_machine.move_to(start + timedelta(minutes=20), tick=False)
    assert send_due() == [Status.SENT]  # the probe (the one held before) resumes the channel
    assert send_due() == [Status.SENT] * 9  # then eight still queued, one started elsewhere


def test_a_failure_then_a_success_resets_the_count(letters, relay_up):
    settings_of_clinic(breaker_failures=2)
    relay_up["down"] = True
    outbox.claim_due(actor=worker())
    assert outbox.deliver(letters[0], actor=worker()) == "retry"
    relay_up["down"] = False
    assert outbox.deliver(letters[1], actor=worker()) == Status.SENT
    relay_up["down"] = True
    assert outbox.deliver(letters[2], actor=worker()) == "retry"  # one in a row, not two
    assert outbox.paused_channels() == {}


def test_holding_keeps_the_due_time_so_the_alarm_sees_an_outage_grow(
    letters, relay_up, time_machine, client
):
    from reminders.health import outbox_health

    OutboxMessage.objects.exclude(pk__in=letters[:3]).delete()  # a quiet clinic: three e-mails
    settings_of_clinic(breaker_failures=2, outbox_alarm_minutes=10)
    due_at = OutboxMessage.objects.get(pk=letters[2]).due_at
    start = timezone.now()
    relay_up["down"] = True
    for minute in range(0, 16):
        time_machine.move_to(start + timedelta(minutes=minute), tick=False)
        send_due()
    held = OutboxMessage.objects.get(pk=letters[2])
    assert (held.status, held.due_at) == (Status.PENDING, due_at)
    body, problem = outbox_health()
    assert body["oldest_due_seconds"] >= 15 * 60
    assert problem == "outbox_delayed"
    assert client.get("/healthz").status_code == 503


def test_a_success_without_earlier_failures_writes_no_channel_state(letters, relay_up):
    assert send_due().count(Status.SENT) == len(letters)
    assert not ChannelState.objects.exists()


# --- Who refused: the relay, or one recipient --------------------------------------


def test_a_full_mailbox_retries_its_message_and_never_pauses_the_channel(letters, relay_up):
    settings_of_clinic(breaker_failures=3, message_max_attempts=5)
    relay_up["rcpt"]["ada@example.com"] = (452, b"4.2.2 mailbox full")
    assert send_due() == ["retry"] * len(letters)  # each its own attempt; none held
    assert outbox.paused_channels() == {}
    row = OutboxMessage.objects.get(pk=letters[0])
    assert (row.status, row.attempts) == (Status.PENDING, 1)
    assert "recipient refused: [452]" in row.last_error


def test_a_full_mailbox_fails_after_its_attempts_while_others_go(letters, relay_up, time_machine):
    settings_of_clinic(breaker_failures=2, message_max_attempts=3, retry_base_seconds=60)
    OutboxMessage.objects.filter(pk=letters[0]).update(recipient="full@example.com", patient=None)
    relay_up["rcpt"]["full@example.com"] = (452, b"4.2.2 mailbox full")
    start = timezone.now()
    for minute in range(0, 60):
        time_machine.move_to(start + timedelta(minutes=minute), tick=False)
        send_due()
    full = OutboxMessage.objects.get(pk=letters[0])
    assert (full.status, full.attempts) == (Status.FAILED, 3)
    assert outbox.paused_channels() == {}
    assert OutboxMessage.objects.filter(status=Status.SENT).count() == len(letters) - 1


def test_a_refused_recipient_on_the_probe_resumes_the_channel(letters, relay_up, time_machine):
    settings_of_clinic(breaker_failures=1, breaker_probe_seconds=60)
    relay_up["down"] = True
    start = timezone.now()
    send_due()
    assert "email" in outbox.paused_channels()
    relay_up["down"] = False
    relay_up["rcpt"]["ada@example.com"] = (450, b"4.2.1 mailbox busy")
    time_machine.move_to(start + timedelta(seconds=61), tick=False)
    assert send_due() == ["retry"]  # the relay answered: it is up
    assert outbox.paused_channels() == {}


def test_a_relay_refusing_every_recipient_with_451_4_3_0_pauses_the_channel(letters, relay_up):
    settings_of_clinic(breaker_failures=3)
    relay_up["rcpt"]["ada@example.com"] = (451, b"4.3.0 Mailbox busy")
    outcomes = send_due()
    assert outcomes[:2] == ["retry", "retry"]
    assert set(outcomes[2:]) == {"held"}
    assert "email" in outbox.paused_channels()


def test_a_broken_channel_fails_its_messages_without_pausing(letters, relay_up):
    settings_of_clinic(breaker_failures=2, message_max_attempts=1)
    relay_up["raise"] = ValueError("a bug in a backend")
    assert set(send_due()) == {Status.FAILED}
    assert outbox.paused_channels() == {}


def test_paused_channels_are_read_in_the_channels_order(db):
    from reminders import breaker

    for channel in ("sms", "email"):
        ChannelState.objects.create(channel=channel, paused_since=timezone.now())
    assert list(breaker.paused()) == ["email", "sms"]


def test_probes_keep_to_the_interval_on_beats_slightly_early_ticks(letters, relay_up, time_machine):
    settings_of_clinic(breaker_failures=3, breaker_probe_seconds=60)
    relay_up["down"] = True
    start = timezone.now()
    send_due()  # paused; the first probe is due at start + 60 s
    tick = start + timedelta(seconds=59.5)  # beat's next minute, a little early
    time_machine.move_to(tick, tick=False)
    claimed = outbox.claim_due(actor=worker())
    assert len(claimed) == 1  # the probe goes at this tick, not one tick later
    # The relay takes 30 s to refuse it: the next probe stays one interval after this tick.
    time_machine.move_to(tick + timedelta(seconds=30), tick=False)
    assert outbox.deliver(claimed[0], actor=worker()) == "held"
    time_machine.move_to(tick + timedelta(seconds=59.5), tick=False)
    assert len(outbox.claim_due(actor=worker())) == 1
