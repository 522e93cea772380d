"""The API's JSON is written by orjson and reads exactly as DRF's own renderer wrote it."""

import datetime
import decimal
import json
import uuid

from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer as DRFRenderer

from recovery.renderers import JSONRenderer

ZONE = datetime.timezone(datetime.timedelta(hours=1))
AWKWARD = {
    "summary": 'Charged £14.50 — menu says 12.00 \u2028 next line\u2029 «quoted» "and" back\\slash',
    "control": "tab\tnew\nline\x00nul\x1f unit \x7f del </script>",
    "emoji": "😡 very upset",
    "numbers": [0, -1, 2**53, 1.5, 0.1, 0.0001, 123456.789, True, False, None],
    "amount": decimal.Decimal("12.50"),
    "when": datetime.datetime(2026, 12, 7, 9, 30, 15, 123456, tzinfo=datetime.UTC),
    "local": datetime.datetime(2026, 3, 29, 1, 30, tzinfo=ZONE),
    "day": datetime.date(2026, 12, 1),
    "at": datetime.time(9, 30),
    "for": datetime.timedelta(hours=4, minutes=30),
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "lazy": gettext_lazy("This field is required."),
    "pairs": (("shop", "c-1"), ("crm", "c-2")),
    "nested": {"empty": {}, "list": [], 7: "a number as key"},
}


def test_it_writes_the_same_bytes_as_drfs_renderer():
    assert JSONRenderer().render(AWKWARD) == DRFRenderer().render(AWKWARD)


def test_a_float_in_exponent_form_is_the_same_number_written_shorter():
    tiny = {"score": 1e-7, "huge": 1e21}
    assert JSONRenderer().render(tiny) == b'{"score":1e-7,"huge":1e+21}'
    assert json.loads(JSONRenderer().render(tiny)) == json.loads(DRFRenderer().render(tiny)) == tiny


def test_what_orjson_refuses_is_written_by_drf_and_indented_json_too():
    huge = {"count": 2**70}
    assert JSONRenderer().render(huge) == DRFRenderer().render(huge) == b'{"count":1180591620717411303424}'
    indented = {"renderer_context": {"indent": 2}}
    assert JSONRenderer().render(AWKWARD, "application/json; indent=2", indented) == DRFRenderer().render(
        AWKWARD, "application/json; indent=2", indented
    )


def test_the_api_answers_with_it(api):
    response = api.get("/api/v1/teams/")
    assert response.status_code == 200
    assert response.content == DRFRenderer().render(response.data)
