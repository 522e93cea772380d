import json

import pytest

from integrations.tokens import api_token_create
from knowledge import services
from knowledge.models import Article
from tests import factories
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def token_client(team):
    return client_for(api_token_create(name="Helpdesk", teams=[team], can_write=True)[1])


def article_body(**extra):
    return {"title": "Price rise", "body": "Prices rose by **1.25**.", **extra}


def test_a_lead_writes_an_article_with_every_field(client, lead, causes):
    product = factories.ProductFactory()
    client.force_login(lead)
    body = article_body(
        customer_text="Sorry: prices rose.",
        products=[product.pk],
        journey_stages=["billing"],
        root_causes=[causes["price"].pk],
        channels=["phone"],
        valid_from="2026-12-01",
        valid_until="2026-12-31",
    )
    response = client.post("/api/v1/articles/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    got = response.json()
    assert {k: got[k] for k in body} == body
    assert got["version"] == 1 and got["uses"] == 0 and got["owner"] == lead.username


def test_an_agent_reads_but_may_not_write(client, agent, lead):
    services.article_create(actor=lead, data=article_body())
    client.force_login(agent)
    assert client.get("/api/v1/articles/").json()["results"][0]["title"] == "Price rise"
    assert (
        client.post("/api/v1/articles/", article_body(), content_type="application/json").status_code == 403
    )


def test_bad_input_answers_400_with_field_errors(client, lead):
    client.force_login(lead)
    response = client.post(
        "/api/v1/articles/",
        {"title": "", "body": "x", "journey_stages": ["moon"], "valid_from": "2026-12-10"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert {"title", "journey_stages.0"} <= set(response.json()["errors"])
    response = client.post("/api/v1/articles/", article_body(colour="red"), content_type="application/json")
    assert response.status_code == 400 and "colour" in response.json()["errors"]


def test_an_article_cannot_end_before_it_starts(client, lead):
    client.force_login(lead)
    response = client.post(
        "/api/v1/articles/",
        article_body(valid_from="2026-12-10", valid_until="2026-12-01"),
        content_type="application/json",
    )
    assert response.status_code == 400 and "valid_until" in response.json()["errors"]


def test_patch_changes_an_article_and_keeps_a_version(client, lead):
    article = services.article_create(actor=lead, data=article_body())
    client.force_login(lead)
    response = client.patch(
        f"/api/v1/articles/{article.pk}/",
        {"body": "Boards change tomorrow."},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["version"] == 2
    assert Article.objects.get().versions.get().body == "Prices rose by **1.25**."


def test_suggestions_are_empty_lists_not_an_error_with_too_few_triaged_cases(token_client, case):
    response = token_client.get(f"/api/v1/cases/{case.reference}/suggestions/")
    assert response.status_code == 200
    body = response.json()
    assert body["root_causes"] == body["severity"] == body["similar_cases"] == body["articles"] == []
    assert isinstance(body["threshold"], float)


def test_suggestions_answer_each_list_best_first(token_client, history, agent, team, causes, lead):
    services.article_create(
        actor=lead, data=article_body(title="Menu price rise", root_causes=[causes["price"].pk])
    )
    case = factories.open_case(actor=agent, team=team, description="the menu board price is not what i paid")
    body = token_client.get(f"/api/v1/cases/{case.reference}/suggestions/").json()
    assert set(body) == {"root_causes", "severity", "similar_cases", "articles", "threshold"}
    first = body["root_causes"][0]
    assert (first["id"], first["name"]) == (causes["price"].pk, causes["price"].name)
    for name in ("root_causes", "severity", "similar_cases", "articles"):
        scores = [item["score"] for item in body[name]]
        assert scores == sorted(scores, reverse=True), name
    assert set(body["severity"][0]) == {"value", "score"}
    assert set(body["similar_cases"][0]) == {"reference", "score", "summary", "root_cause"}
    assert body["similar_cases"][0]["root_cause"] == causes["price"].name
    assert body["articles"][0]["title"] == "Menu price rise"


def test_search_finds_only_the_tokens_teams_cases(token_client, agent, team, other_team):
    stranger = factories.UserFactory(teams=[other_team])
    mine = factories.open_case(actor=agent, team=team, description="A hedgehog in the salad.")
    factories.open_case(actor=stranger, team=other_team, description="A hedgehog in the soup.")
    response = token_client.get("/api/v1/search/", {"q": "hedgehog"})
    assert response.status_code == 200
    assert [c["reference"] for c in response.json()["cases"]] == [mine.reference]
    assert "<mark>" in response.json()["cases"][0]["snippet"]


def test_search_without_words_is_a_400(token_client):
    assert token_client.get("/api/v1/search/").status_code == 400


def test_the_schema_describes_the_knowledge_endpoints(client):
    paths = json.loads(client.get("/api/schema/?format=json").content)["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/articles/"])
    assert {"get", "patch"} <= set(paths["/api/v1/articles/{id}/"])
    assert "get" in paths["/api/v1/cases/{reference}/suggestions/"]
    assert "get" in paths["/api/v1/search/"]
