"""The case list filters by the triage answers: root cause, origin, WHY's yes/no questions, WHAT."""

import pytest

from cases.models import WhatAnswer, WhyAnswer
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def triaged(agent, team):
    late, broken, untouched = (factories.open_case(actor=agent, team=team) for _ in range(3))
    cause = factories.root_cause("Delivery time not agreed", "Expectations")
    other = factories.root_cause("Damaged in transit", "Vendors")
    WhyAnswer.objects.create(
        case=late, root_cause=cause, origin="ours", expectations_set="no", checked_in="yes"
    )
    WhyAnswer.objects.create(
        case=broken, root_cause=other, origin="vendor", expectations_set="yes", checked_in="unknown"
    )
    WhatAnswer.objects.create(case=late, part_affected="Delivery slot", journey_stage="delivery")
    WhatAnswer.objects.create(case=broken, part_affected="Packaging", journey_stage="first_use")
    return {"late": late, "broken": broken, "untouched": untouched, "cause": cause, "other": other}


def _refs(api, query):
    response = api.get(f"/api/v1/cases/?{query}")
    assert response.status_code == 200, response.json()
    return {c["reference"] for c in response.json()["results"]}


def test_the_list_filters_by_root_cause_its_category_and_origin(api, triaged):
    late, broken = triaged["late"].reference, triaged["broken"].reference

    assert _refs(api, f"root_cause={triaged['cause'].pk}") == {late}
    assert _refs(api, f"root_cause={triaged['cause'].pk}&root_cause={triaged['other'].pk}") == {late, broken}
    assert _refs(api, f"root_cause_category={triaged['other'].parent_id}") == {broken}
    assert _refs(api, "origin=vendor") == {broken}
    assert _refs(api, "origin=ours&origin=both") == {late}


def test_the_list_filters_by_every_yes_no_answer_of_why_and_by_what(api, triaged):
    late, broken = triaged["late"].reference, triaged["broken"].reference

    assert _refs(api, "expectations_set=no") == {late}
    assert _refs(api, "checked_in=unknown") == {broken}
    assert _refs(api, "expectations_set=yes&checked_in=yes") == set()
    assert _refs(api, "verified_before_delivery=yes") == set()
    assert _refs(api, "what_journey_stage=first_use") == {broken}
    assert _refs(api, "part_affected=delivery%20slot") == {late}


def test_an_unknown_triage_filter_or_answer_is_refused_with_400_not_ignored(api, triaged):
    unknown = api.get("/api/v1/cases/?root_cuase=1")
    bad_answer = api.get("/api/v1/cases/?checked_in=maybe&origin=mars&root_cause=999999")

    assert unknown.status_code == 400
    assert "root_cuase" in unknown.json()["errors"]
    assert bad_answer.status_code == 400
    assert set(bad_answer.json()["errors"]) == {"checked_in", "origin", "root_cause"}
