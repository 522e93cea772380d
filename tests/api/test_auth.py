"""Who may call the API: tokens scoped to teams and to read or write, and the browser session."""

import pytest
from django.core.management import call_command

from integrations.models import ApiToken, hash_key
from integrations.tokens import api_token_revoke
from tests import factories

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_it_answers_401_without_a_token(case):
    response = client_for().get("/api/v1/cases/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"


def test_it_answers_401_for_an_unknown_token(case):
    response = client_for("rcv_not-a-real-key").get("/api/v1/cases/")

    assert response.status_code == 401


def test_a_revoked_token_is_refused(case, write_token):
    token, key = write_token
    assert client_for(key).get("/api/v1/cases/").status_code == 200

    api_token_revoke(token=token)

    assert client_for(key).get("/api/v1/cases/").status_code == 401


def test_a_token_whose_user_is_deactivated_is_refused_at_once(case, write_token):
    """Tokens that answered are kept per process; deactivating their user drops them."""
    token, key = write_token
    assert client_for(key).get("/api/v1/cases/").status_code == 200

    token.user.is_active = False
    token.user.save()

    assert client_for(key).get("/api/v1/cases/").status_code == 401


def test_the_key_is_stored_only_as_its_hash_and_use_is_recorded(write_token):
    token, key = write_token
    assert token.key_hash == hash_key(key) and key not in (token.prefix + token.key_hash)
    assert token.last_used_at is None

    client_for(key).get("/api/v1/cases/")

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_read_only_token_reads_but_cannot_write(case, read_token, new_case_body):
    client = client_for(read_token[1])

    assert client.get(f"/api/v1/cases/{case.reference}/").status_code == 200
    response = client.post("/api/v1/cases/", new_case_body, format="json")

    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]


def test_another_teams_case_is_a_404_like_a_missing_one(other_team, write_token):
    omar = factories.UserFactory(username="omar", teams=[other_team])
    theirs = factories.open_case(actor=omar, team=other_team)
    client = client_for(write_token[1])

    assert client.get(f"/api/v1/cases/{theirs.reference}/").status_code == 404
    assert client.get("/api/v1/cases/R-999999/").status_code == 404
    assert (
        client.post(
            f"/api/v1/cases/{theirs.reference}/transition/",
            {"action": "respond", "message": "Sorry"},
            format="json",
        ).status_code
        == 404
    )
    assert client.get("/api/v1/cases/").json()["results"] == []


def test_the_browser_session_works_with_the_users_own_scoping(client, agent, case):
    client.force_login(agent)

    response = client.get("/api/v1/cases/")

    assert response.status_code == 200
    assert [c["reference"] for c in response.json()["results"]] == [case.reference]


def test_the_timeline_names_the_integration_as_the_actor(api, write_token, case):
    api.post(f"/api/v1/cases/{case.reference}/notes/", {"text": "Customer called back"}, format="json")

    event = case.events.get(kind="case.note.added")
    assert event.actor == write_token[0].user
    assert str(event.actor) == "Order system"


def test_the_command_prints_a_working_key_once(team, capsys):
    call_command("create_api_token", "--name", "Call centre", "--teams", team.slug, "--write")

    key = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(name="Call centre")
    assert token.can_write and list(token.teams.all()) == [team]
    assert client_for(key).get("/api/v1/cases/").status_code == 200


def test_admins_revoke_tokens_from_the_admin(admin_client, write_token):
    token, key = write_token

    response = admin_client.post(
        "/admin/integrations/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )

    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client_for(key).get("/api/v1/cases/").status_code == 401


def test_an_unknown_api_path_answers_json_in_the_error_shape(api):
    response = api.get("/api/v1/cases/R-000001/nothing-here/")

    assert response.status_code == 404
    assert response.json() == {
        "detail": "No such endpoint.",
        "code": "not_found",
        "errors": {},
        "problems": [],
    }
