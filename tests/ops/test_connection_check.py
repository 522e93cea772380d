"""A reused PostgreSQL connection is checked at each request without a round trip, and one the
server dropped while it sat idle is still found and replaced before the request uses it."""

import time

import pytest
from django.db import connection, connections

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the check is PostgreSQL's"),
]


@pytest.fixture
def idle():
    """A connection of its own, as a gunicorn worker holds one between requests."""
    wrapper = connections.create_connection("default")
    wrapper.health_check_enabled = True
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT 'the last request'")
    yield wrapper
    wrapper.close()


def _last_query(pid: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0]


def test_an_idle_connection_is_found_usable_without_asking_the_server(idle):
    pid = idle.connection.get_backend_pid()

    assert idle.is_usable()

    assert _last_query(pid) == "SELECT 'the last request'"


def test_a_connection_the_server_dropped_is_replaced_before_the_next_request_uses_it(idle):
    dropped = idle.connection.get_backend_pid()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [dropped])
    time.sleep(0.2)  # the server's farewell reaches the socket

    assert not idle.is_usable()

    # What Django does at the start of the next request: check, reconnect, answer.
    idle.health_check_done = False
    with idle.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != dropped
