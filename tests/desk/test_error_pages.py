"""Refusals and missing pages say why and lead somewhere, inside the app's own frame."""

import pytest
from django.template.loader import render_to_string

pytestmark = pytest.mark.django_db


def test_an_agent_refused_the_at_risk_view_sees_why_and_the_way_back(client, agent):
    client.force_login(agent)
    response = client.get("/sla/at-risk/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "The at-risk view is for team leads and managers." in page
    assert 'class="topbar"' in page and 'href="/cases/"' in page  # the top bar and a way back
    assert 'href="/static/css/app.css"' in page


def test_a_missing_page_names_the_address_and_offers_navigation(client, agent):
    client.force_login(agent)
    response = client.get("/cases/R-999999/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "/cases/R-999999/" in page and "Nothing here" in page and 'class="topbar"' in page


def test_the_server_error_page_stands_alone_with_the_app_style():
    page = render_to_string("500.html")
    assert "Something went wrong on our side" in page and 'href="/cases/"' in page
    assert "app.css" in page
