import pytest

from conversations.phones import BadNumber, phone_normalise, phone_spellings


@pytest.mark.parametrize(
    "raw",
    [
        "07700 900123",
        "+44 7700 900123",
        "+44 (0)7700-900123".replace("(0)", ""),
        "00447700900123",
        "447700900123",
    ],
)
def test_every_spelling_of_a_uk_mobile_is_one_number(raw):
    assert phone_normalise(raw, country_code="44") == "+447700900123"


@pytest.mark.parametrize("raw", ["", "abc", "123", "+1234567890123456"])
def test_what_is_no_phone_number_is_refused(raw):
    with pytest.raises(BadNumber):
        phone_normalise(raw, country_code="44")


def test_the_lookup_spellings_include_how_people_type_the_number():
    spellings = phone_spellings("+447700900123", country_code="44")
    assert {"+447700900123", "07700900123", "07700 900123", "+44 7700 900123"} <= set(spellings)
