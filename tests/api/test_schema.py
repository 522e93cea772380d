"""The OpenAPI description is valid and complete, and no generated input makes the API fail."""

import collections
import json

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from remedies.demo import install_default_caps
from remedies.models import RemedyKind
from remedies.services import remedy_give
from sla.policies import policies_ensure_defaults
from tests import factories

pytestmark = pytest.mark.django_db
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.response_schema_conformance,
]

KEY_PATHS = {
    "/api/v1/cases/": {"get", "post"},
    "/api/v1/cases/{reference}/": {"get", "patch"},
    "/api/v1/cases/{reference}/transition/": {"post"},
    "/api/v1/cases/{reference}/assign/": {"post"},
    "/api/v1/cases/{reference}/timeline/": {"get"},
    "/api/v1/cases/{reference}/notes/": {"get", "post"},
    "/api/v1/cases/{reference}/triage/what/": {"get", "put", "patch"},
    "/api/v1/cases/{reference}/triage/why/": {"get", "put", "patch"},
    "/api/v1/cases/{reference}/triage/different/": {"get", "put", "patch"},
    "/api/v1/cases/{reference}/corrective-actions/": {"get", "post"},
    "/api/v1/customers/": {"get", "post"},
    "/api/v1/teams/": {"get"},
    "/api/v1/users/": {"get"},
    "/api/v1/products/": {"get"},
    "/api/v1/root-causes/": {"get"},
    "/api/v1/webhooks/": {"get", "post"},
    "/api/v1/webhooks/{id}/deliveries/": {"get"},
    "/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver/": {"post"},
    "/api/v1/cases/{reference}/remedies/": {"get", "post"},
    "/api/v1/cases/{reference}/clocks/": {"get"},
    "/api/v1/approvals/": {"get"},
    "/api/v1/approvals/{id}/": {"get"},
    "/api/v1/approvals/{id}/decide/": {"post"},
    "/api/v1/remedy-kinds/": {"get"},
    "/api/v1/remedy-kinds/{code}/": {"get"},
    "/api/v1/sla/policies/": {"get"},
    "/api/v1/sla/policies/{id}/": {"get", "patch"},
    "/api/v1/sla/calendars/": {"get"},
    "/api/v1/sla/calendars/{id}/": {"get", "patch"},
}


def test_the_schema_validates_with_no_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))

    assert (tmp_path / "schema.yml").stat().st_size > 10_000


def test_the_schema_describes_the_key_paths_enums_errors_and_token_auth(client):
    response = client.get("/api/schema/?format=json")

    assert response.status_code == 200
    schema = json.loads(response.content)
    for path, methods in KEY_PATHS.items():
        assert methods <= set(schema["paths"][path]), path
    components = schema["components"]
    assert components["securitySchemes"]["tokenAuth"]["name"] == "Authorization"
    assert "waiting_on_customer" in components["schemas"]["CaseStatusEnum"]["enum"]
    assert "case.transitioned" in components["schemas"]["EventTypeEnum"]["enum"]
    assert set(components["schemas"]["Error"]["properties"]) == {"detail", "code", "errors", "problems"}
    create = schema["paths"]["/api/v1/cases/"]["post"]
    assert {"201", "400", "401", "403", "409", "422", "429"} <= set(create["responses"])
    patch = schema["paths"]["/api/v1/cases/{reference}/"]["patch"]
    assert "412" in patch["responses"]
    assert {"If-Match", "ETag"} <= {p["name"] for p in patch["parameters"]} | set(
        patch["responses"]["200"].get("headers", {})
    )


def test_every_list_is_a_cursor_page_and_documents_its_400_and_404(client):
    schema = json.loads(client.get("/api/schema/?format=json").content)
    schemas = schema["components"]["schemas"]

    lists = 0
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        answer = get["responses"]["200"]["content"]["application/json"]["schema"]
        assert answer.get("type") != "array", f"{path} answers a bare array"
        shape = schemas[answer["$ref"].rsplit("/", 1)[-1]]
        if "results" in shape["properties"]:
            lists += 1
            assert {"next", "previous", "results"} <= set(shape["properties"]), path
            assert {"400", "401", "404", "429"} <= set(get["responses"]), path
    assert lists >= 17


def test_the_schema_types_what_the_answers_really_hold(client):
    schemas = json.loads(client.get("/api/schema/?format=json").content)["components"]["schemas"]

    for stage in ("WhatAnswer", "WhyAnswer", "DifferentAnswer"):
        assert schemas[stage]["properties"]["updated_at"]["nullable"] is True
    for field in ("severity", "channel"):
        policy_field = schemas["PolicyOut"]["properties"][field]
        assert policy_field["nullable"] is True
        assert {"$ref": "#/components/schemas/NullEnum"} in policy_field["oneOf"]


def test_a_policy_for_any_severity_answers_null_not_an_empty_string(api):
    policies_ensure_defaults()

    listed = api.get("/api/v1/sla/policies/").json()["results"]

    default = next(p for p in listed if p["is_default"])
    assert default["severity"] is None and default["channel"] is None


def test_an_unanswered_triage_stage_has_a_null_updated_at(api, case):
    answer = api.get(f"/api/v1/cases/{case.reference}/triage/why/").json()

    assert answer["updated_at"] is None


def test_the_docs_page_works_offline(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page and "cdn" not in page.lower()


@pytest.fixture
def keep_the_test_connection():
    """Calling the WSGI app directly would close the test's database connection after each request
    (Django's test client avoids this the same way)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.fuzz
@pytest.mark.usefixtures("keep_the_test_connection")
def test_no_generated_request_gets_a_server_error_or_an_answer_the_schema_does_not_describe(
    team, agent, lead
):
    """Bounded: a few examples per operation, against known objects and random ones. Every answer
    has a documented status and the documented shape, so generated clients can trust the schema."""
    from integrations.tokens import api_token_create

    _, key = api_token_create(name="Fuzzer", teams=[team], can_write=True)
    case = factories.open_case(actor=agent, team=team)
    factories.root_cause()
    install_default_caps()
    policies_ensure_defaults()
    coupon = RemedyKind.objects.get_or_create(code="coupon", defaults={"name": "Coupon"})[0]
    team.lead = lead
    team.save(update_fields=["lead"])
    remedy_give(case=case, actor=agent, kind=coupon, amount="80.00", currency="GBP")
    headers = {"Authorization": f"Token {key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    known = {"reference": case.reference, "id": team.pk, "code": coupon.code}
    failures, seen = [], []
    for result in schema.get_all_operations():
        operation = result.ok()
        for path_parameters in ({}, {k: v for k, v in known.items() if f"{{{k}}}" in operation.path}):

            @settings(
                max_examples=8,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(path_parameters=path_parameters or None))
            def call(case):
                response = case.call(headers=headers)
                seen.append(response.status_code)
                try:
                    case.validate_response(response, checks=CHECKS, headers=headers)
                except Exception as failed:  # schemathesis raises a group of check failures
                    failures.append(
                        f"{case.method} {case.formatted_path} {case.query!r} {case.body!r} -> "
                        f"{response.status_code}: {str(failed)[:600]}"
                    )

            call()
    assert failures == [], "\n".join(failures[:20])
    answered = collections.Counter(code // 100 for code in seen)
    assert answered[2] > 50 and answered[4] > 50  # it really got in, and really sent bad input
