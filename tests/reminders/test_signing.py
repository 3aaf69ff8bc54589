"""Standard Webhooks signatures (reminders.signing), against the spec's published example."""

import base64

import pytest

from reminders import signing

# The example of https://www.standardwebhooks.com (and its reference libraries' tests).
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_signs_the_specs_example_as_published():
    assert signing.signature(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE


def test_headers_carry_the_id_timestamp_and_signature():
    assert signing.headers([SPEC_SECRET], SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == {
        "webhook-id": SPEC_ID,
        "webhook-timestamp": "1614265330",
        "webhook-signature": SPEC_SIGNATURE,
    }


def test_a_rotated_secret_signs_beside_the_new_one():
    new = signing.new_secret()
    headers = signing.headers([new, SPEC_SECRET], SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)
    first, second = headers["webhook-signature"].split(" ")
    assert second == SPEC_SIGNATURE
    assert signing.verify(new, headers, SPEC_BODY)
    assert signing.verify(SPEC_SECRET, headers, SPEC_BODY)


@pytest.mark.parametrize(
    "change",
    [
        {"body": b'{"test": 2432232315}'},
        {"webhook-id": "msg_other"},
        {"webhook-timestamp": str(SPEC_TIMESTAMP + 1)},
    ],
)
def test_a_changed_body_id_or_timestamp_fails_verification(change):
    headers = signing.headers([SPEC_SECRET], SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)
    body = change.pop("body", SPEC_BODY)
    assert not signing.verify(SPEC_SECRET, headers | change, body)


def test_new_secrets_are_whsec_with_24_random_bytes():
    first, second = signing.new_secret(), signing.new_secret()
    assert first.startswith("whsec_")
    assert first != second
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 24


@pytest.mark.parametrize("secret", ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_", "whsec_!!!!"])
def test_refuses_a_secret_not_in_the_whsec_form(secret):
    with pytest.raises(signing.BadSecret):
        signing.signature(secret, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)
