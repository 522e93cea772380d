"""Every write within its query budget: a change that adds a query to a hot path fails here.

Budgets count every statement the request sends, savepoints included: token, checks, inserts.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from sla.policies import policies_ensure_defaults

# Real transactions, as in production: inside a test's own transaction every atomic block would
# add a savepoint that a request never sends.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def configured(db):
    policies_ensure_defaults()


def _count(call) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    # The transaction's own BEGIN and COMMIT are not counted: every write has one of each.
    return response, [
        q["sql"] for q in ctx.captured_queries if q["sql"] not in ("BEGIN", "BEGIN IMMEDIATE", "COMMIT")
    ]


def test_a_create_with_a_new_customer_takes_at_most_ten_queries(api, new_case_body):
    api.post(
        "/api/v1/cases/",
        {**new_case_body, "customer": {"name": "Warm Up", "email": "w@example.com"}},
        format="json",
    )
    response, queries = _count(lambda: api.post("/api/v1/cases/", new_case_body, format="json"))
    assert response.status_code == 201, response.json()
    assert len(queries) <= 10, "\n".join(queries)


def test_a_create_for_a_known_customer_takes_at_most_nine_queries(api, new_case_body):
    api.post("/api/v1/cases/", new_case_body, format="json")
    response, queries = _count(lambda: api.post("/api/v1/cases/", new_case_body, format="json"))
    assert response.status_code == 201, response.json()
    assert Case.objects.filter(customer__email="dana@example.com").count() == 2
    assert len(queries) <= 9, "\n".join(queries)
