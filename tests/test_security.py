"""Login throttling, security headers, health endpoints."""

import pytest
from django.test import override_settings

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_repeated_wrong_passwords_lock_the_account_even_for_the_right_one(client, agent):
    for _ in range(5):
        client.post("/login/", {"username": "ava", "password": "wrong"})
    response = client.post("/login/", {"username": "ava", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_says_so_without_saying_which_part(client, agent):
    response = client.post("/login/", {"username": "ava", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_pages_forbid_inline_scripts_and_framing(client, agent):
    client.force_login(agent)
    response = client.get("/cases/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"


def test_healthz_answers_without_login(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_checks_the_database_and_the_broker(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": True, "broker": True, "sla_sweep": True}


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_readyz_is_503_when_the_broker_is_down(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] is False
