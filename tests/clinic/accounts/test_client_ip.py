import pytest
from django.test import RequestFactory

from clinic.accounts.client_ip import client_address


def request_from(remote: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().post("/login/", REMOTE_ADDR=remote, **extra)


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (1, "198.51.100.7", "198.51.100.7"),
        # A client's own X-Forwarded-For entry (left) is not believed: the proxy's is.
        (1, "10.9.9.9, 198.51.100.7", "198.51.100.7"),
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        # Fewer entries than trusted proxies: the request did not come through them.
        (2, "198.51.100.7", "10.0.0.1"),
        (1, "", "10.0.0.1"),
    ],
)
def test_behind_trusted_proxies_the_address_the_outermost_proxy_saw(
    settings, hops, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = hops
    assert client_address(request_from("10.0.0.1", forwarded)) == expected
