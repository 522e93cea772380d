"""The dashboard pages: who may see them, drill-downs, CSV export, query count."""

import csv
import io

import pytest

from insights.csv import neutralise
from tests import factories
from tests.insights import dataset

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2026-03-01", "end": "2026-03-20"}


@pytest.fixture
def data(time_machine, agent, lead, team, other_team):
    return dataset.build(time_machine, agent=agent, lead=lead, team=team, other_team=other_team)


def test_agents_may_not_open_the_dashboard(client, agent):
    client.force_login(agent)

    assert client.get("/insights/").status_code == 403
    assert client.get("/insights/cases/", {"figure": "opened"}).status_code == 403
    assert "Dashboard" not in client.get("/cases/").content.decode()


def test_a_manager_sees_every_figure_on_the_dashboard(client, manager, data):
    client.force_login(manager)

    response = client.get("/insights/", PERIOD)

    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["counts"]["opened"] == 5
    for heading in (
        "Not closed, by status",
        "First response",
        "First-touch resolution",
        "Hand-offs per case",
        "Retained",
        "CSAT (4–5 of 5)",
        "Root causes (Pareto)",
        "Repeat customers",
    ):
        assert heading in page
    assert 'id="dashboard-data"' in page and "<canvas" in page
    # The date fields show the period in the form a browser's date input accepts.
    assert 'value="2026-03-01"' in page and 'value="2026-03-20"' in page
    # The SLA and remedy tiles show figures (computed in test_sla_and_remedy_figures), never a placeholder.
    assert "Not available yet" not in page


def test_a_lead_cannot_ask_for_another_teams_figures(client, lead, data, other_team):
    client.force_login(lead)

    response = client.get("/insights/", {**PERIOD, "team": other_team.pk})

    assert response.status_code == 200
    assert "team" in response.context["form"].errors
    # Back to the default period (the last 30 days) and the lead's own team only.
    assert response.context["counts"]["opened"] == 4
    assert "Some filters were not valid" in response.content.decode()


def test_every_figure_drills_down_to_its_cases(client, lead, data):
    client.force_login(lead)

    def refs(figure, value=""):
        response = client.get("/insights/cases/", {**PERIOD, "figure": figure, "value": value})
        assert response.status_code == 200
        return {case.reference for case in response.context["page"].object_list}

    a, b, c, d, e = (x.reference for x in (data.a, data.b, data.c, data.d, data.e))
    assert refs("opened") == {a, b, c, d}
    assert refs("status", "new") == {d, e}
    assert refs("stage", "why") == {a, b, c}
    assert refs("load", str(data.a.created_by_id)) == {c, d, e}
    assert refs("responded") == {a, b, c}
    assert refs("resolved") == {a, b}
    assert refs("first_touch") == {a}
    assert refs("handed_off") == {b}
    assert refs("retained", "yes") == {a}
    assert refs("retained", "unknown") == {b}
    assert refs("csat") == {a, b}
    assert refs("csat", "3") == {b}
    assert refs("root_cause", str(data.cause1.pk)) == {a, b}
    assert refs("repeat") == {a, c, d}


def test_an_unknown_figure_or_value_is_not_found(client, lead, data):
    client.force_login(lead)

    assert client.get("/insights/cases/", {"figure": "nonsense"}).status_code == 404
    assert client.get("/insights/cases/", {"figure": "status", "value": "nonsense"}).status_code == 404
    assert client.get("/insights/cases/", {"figure": "load", "value": "x;1"}).status_code == 404
    # A figure drills down to a list even when nothing has breached today: an empty list, not a 404.
    assert client.get("/insights/cases/", {"figure": "breaches_today"}).status_code == 200


def test_a_lead_does_not_get_another_teams_case_in_a_list(client, lead, data):
    client.force_login(lead)

    response = client.get("/insights/cases/", {**PERIOD, "figure": "opened"})

    assert data.f.reference not in response.content.decode()


def test_the_csv_export_neutralises_formulas(client, manager, team, agent):
    customer = factories.CustomerFactory(name='=HYPERLINK("http://evil")')
    factories.open_case(actor=agent, team=team, customer=customer, summary="+1 charged twice")
    client.force_login(manager)

    response = client.get("/insights/cases.csv", {"figure": "opened"})

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["reference", "opened_at", "customer", "summary"]
    assert rows[1][2] == '\'=HYPERLINK("http://evil")'
    assert rows[1][3] == "'+1 charged twice"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 7700", "'+44 7700"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Maria", "Maria"),
        ("a=b", "a=b"),
        (None, ""),
        (3, "3"),
    ],
)
def test_neutralise_prefixes_cells_that_start_like_a_formula(value, expected):
    assert neutralise(value) == expected


def test_the_dashboard_runs_a_bounded_number_of_queries(client, manager, data, django_assert_max_num_queries):
    client.force_login(manager)
    for _ in range(5):
        factories.open_case(actor=manager, team=data.a.team)

    # One query per figure (the five SLA and remedy figures included), whatever the number of cases;
    # the ledger (4), first touch per agent and per team (+ the targets) and the triage answers (3).
    # +1: the public posts and their ratings (conversations), one query with its window figures;
    # +2: the knowledge panel's suggestion precision and article uses; +1: the rollup's watermark
    # (read once; before the first run every figure is live).
    with django_assert_max_num_queries(36):
        response = client.get("/insights/", PERIOD)

    assert response.status_code == 200


def test_the_case_list_runs_a_bounded_number_of_queries(client, manager, data, django_assert_max_num_queries):
    client.force_login(manager)

    with django_assert_max_num_queries(10):
        client.get("/insights/cases/", {**PERIOD, "figure": "opened"})
