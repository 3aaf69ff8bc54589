"""The parallel run's isolation: each xdist worker gets its own Redis database."""

import pytest

from tests.parallel import redis_url_for_worker, worker_index


def test_each_worker_moves_the_redis_database_up_by_its_number():
    assert redis_url_for_worker("redis://127.0.0.1:6379/7", 0) == "redis://127.0.0.1:6379/7"
    assert redis_url_for_worker("redis://127.0.0.1:6379/7", 1) == "redis://127.0.0.1:6379/8"
    assert redis_url_for_worker("redis://127.0.0.1:6379", 1) == "redis://127.0.0.1:6379/1"


def test_a_worker_past_the_last_redis_database_is_refused():
    with pytest.raises(pytest.UsageError, match="past Redis's 16 databases"):
        redis_url_for_worker("redis://127.0.0.1:6379/15", 1)


def test_worker_index_reads_xdists_worker_name(monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    assert worker_index() == 1
    monkeypatch.delenv("PYTEST_XDIST_WORKER")
    assert worker_index() is None
