"""Odd input a client may send: always a 4xx in the error shape, never a 500."""

import pytest

pytestmark = pytest.mark.django_db

HUGE = 10**30


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/v1/cases/", {"customer": {"id": HUGE}, "product": HUGE, "summary": "x"}),
        ("post", "/api/v1/cases/", {"customer": "not an object", "product": "x"}),
        ("post", "/api/v1/cases/", ["a", "list"]),
        ("post", "/api/v1/cases/", {"summary": "nul \x00 byte", "product": 1}),
        ("get", "/api/v1/cases/?cursor=garbage", None),
        ("get", f"/api/v1/cases/?owner={HUGE}&customer=-1&team=1.5", None),
        ("get", f"/api/v1/customers/{HUGE}/", None),
        ("get", "/api/v1/users/abc/", None),
    ],
)
def test_odd_input_is_answered_without_a_server_error(api, case, method, path, body):
    response = getattr(api, method)(path, body, format="json") if body is not None else api.get(path)

    assert 400 <= response.status_code < 500, response.content
    assert set(response.json()) >= {"detail", "code", "errors", "problems"}


def test_odd_input_on_a_case(api, case):
    ref = case.reference
    answers = [
        api.post(f"/api/v1/cases/{ref}/assign/", {"to_owner": HUGE}, format="json"),
        api.put(f"/api/v1/cases/{ref}/triage/what/", {"scope": None, "complaint": 5}, format="json"),
        api.patch(
            f"/api/v1/cases/{ref}/corrective-actions/999999999999999999/", {"status": "done"}, format="json"
        ),
        api.post(
            f"/api/v1/cases/{ref}/corrective-actions/",
            {"owner": HUGE, "due_date": "0000-01-01"},
            format="json",
        ),
        api.post(
            f"/api/v1/cases/{ref}/transition/", {"action": "respond", "message": "x" * 6000}, format="json"
        ),
    ]

    assert [a.status_code // 100 for a in answers] == [4] * len(answers), [a.content for a in answers]


def test_a_page_size_over_the_cap_is_capped_and_an_unknown_ordering_ignored(api, case):
    big = api.get("/api/v1/cases/?page_size=100000000000000000000")
    odd = api.get("/api/v1/cases/?ordering=customer__name")

    assert big.status_code == odd.status_code == 200
    assert [c["reference"] for c in odd.json()["results"]] == [case.reference]
