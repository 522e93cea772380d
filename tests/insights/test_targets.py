"""The manager sets each team's first-touch target in the browser; leads read it, agents not."""

from decimal import Decimal

import pytest

from insights.models import TeamTarget

pytestmark = pytest.mark.django_db


def test_a_manager_sets_a_teams_first_touch_target_and_sees_it(client, manager, team):
    client.force_login(manager)

    response = client.post("/insights/targets/", {"team": team.pk, "first_touch_percent": "90.5"})

    assert response.status_code == 302
    target = TeamTarget.objects.get(team=team)
    assert (target.first_touch_percent, target.updated_by) == (Decimal("90.5"), manager)
    page = client.get("/insights/targets/").content.decode()
    assert 'value="90.5"' in page and "by Max" in page


def test_a_target_over_100_is_refused_with_its_error_beside_the_field(client, manager, team):
    client.force_login(manager)

    response = client.post("/insights/targets/", {"team": team.pk, "first_touch_percent": "120"})

    assert response.status_code == 400
    assert "less than or equal to 100" in response.content.decode()
    assert not TeamTarget.objects.exists()


def test_a_lead_sees_the_targets_but_may_not_change_them_and_an_agent_sees_nothing(client, lead, agent, team):
    client.force_login(lead)
    page = client.get("/insights/targets/")
    refused = client.post("/insights/targets/", {"team": team.pk, "first_touch_percent": "10"})

    assert page.status_code == 200 and "<form" not in page.content.decode().split("<main")[-1]
    assert refused.status_code == 403
    assert not TeamTarget.objects.exists()
    client.force_login(agent)
    assert client.get("/insights/targets/").status_code == 403
