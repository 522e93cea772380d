"""Races the database must decide: two deliveries of the same request at the same moment."""

import threading

import pytest
from django.db import connection, connections

from cases.models import Case
from integrations.tokens import api_token_create
from tests import factories

from .conftest import client_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def _race(times: int, send) -> list:
    answers, barrier = [], threading.Barrier(times)

    def run():
        try:
            barrier.wait()
            answers.append(send())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.fixture
def setup(team):
    _, key = api_token_create(name="Racer", teams=[team], can_write=True)
    product = factories.ProductFactory()
    body = {
        "customer": {"name": "Dana", "email": "dana@example.com"},
        "summary": "Charged twice",
        "product": product.pk,
        "journey_stage": "billing",
        "source": "shop",
        "external_id": "race-1",
    }
    return key, body


def test_the_same_idempotency_key_sent_twice_at_once_creates_one_case(setup):
    key, body = setup

    answers = _race(
        4, lambda: client_for(key).post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="same")
    )

    assert [a.status_code for a in answers] == [201] * 4
    assert len({a.json()["reference"] for a in answers}) == 1
    assert Case.objects.count() == 1


def test_the_same_external_id_sent_twice_at_once_creates_one_case_and_one_conflict(setup):
    key, body = setup

    answers = _race(3, lambda: client_for(key).post("/api/v1/cases/", body, format="json"))

    assert sorted(a.status_code for a in answers) == [201, 409, 409]
    assert Case.objects.count() == 1
