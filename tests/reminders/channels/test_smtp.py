"""SMTP answers as outbox failures: the relay down, this recipient for now, or for good."""

import smtplib

import pytest
from django.core.mail import EmailMultiAlternatives

from reminders.channels import ChannelDown, PermanentFailure, TemporaryFailure
from reminders.channels.email import smtp
from tests.reminders import relay


@pytest.fixture
def relay_answers(settings):
    settings.EMAIL_BACKEND = "tests.reminders.relay.RelayBackend"
    relay.state.update(down=False, rcpt={}, **{"raise": None})
    yield relay.state
    relay.state.update(down=False, rcpt={}, **{"raise": None})


def refused(code, text):
    return smtplib.SMTPRecipientsRefused({"ada@example.com": (code, text)})


@pytest.mark.parametrize(
    ("error", "failure"),
    [
        (ConnectionRefusedError(111, "Connection refused"), ChannelDown),
        (TimeoutError("timed out"), ChannelDown),
        (smtplib.SMTPServerDisconnected("gone"), ChannelDown),
        (smtplib.SMTPConnectError(421, b"4.3.2 shutting down"), ChannelDown),
        (smtplib.SMTPAuthenticationError(535, b"5.7.8 bad credentials"), ChannelDown),
        (smtplib.SMTPSenderRefused(451, b"4.3.0 local error", "clinic@example.com"), ChannelDown),
        (smtplib.SMTPDataError(452, b"4.3.1 insufficient system storage"), ChannelDown),
        (smtplib.SMTPDataError(554, b"5.6.0 content rejected"), PermanentFailure),
        (refused(451, b"4.3.0 Mailbox busy"), ChannelDown),  # the fault test's relay
        (refused(421, b"4.3.2 closing"), ChannelDown),
        (refused(451, b"try again later"), ChannelDown),  # no enhanced code: the relay's
        (refused(450, b"4.2.1 mailbox busy"), TemporaryFailure),
        (refused(452, b"4.2.2 mailbox full"), TemporaryFailure),
        (refused(451, b"4.7.1 greylisted, try again later"), TemporaryFailure),
        (refused(550, b"5.1.1 no such user"), PermanentFailure),
    ],
)
def test_smtp_answers_are_classified_by_who_refused(relay_answers, error, failure):
    relay_answers["raise"] = error
    with pytest.raises((TemporaryFailure, PermanentFailure)) as raised:
        smtp.deliver(EmailMultiAlternatives(subject="s", body="b", to=["ada@example.com"]))
    assert type(raised.value) is failure  # a per-recipient refusal is not ChannelDown


def test_one_refused_recipient_of_several_is_not_the_relay(relay_answers):
    relay_answers["raise"] = smtplib.SMTPRecipientsRefused(
        {"a@example.com": (451, b"4.3.0 busy"), "b@example.com": (452, b"4.2.2 full")}
    )
    with pytest.raises(TemporaryFailure) as raised:
        smtp.deliver(EmailMultiAlternatives(subject="s", body="b", to=["a@example.com"]))
    assert type(raised.value) is TemporaryFailure
