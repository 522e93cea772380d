"""How stored text and JSON lose the customer and keep the codes and figures."""

from cases.privacy import ERASED, ErasureSubject

anna = ErasureSubject.of(
    customer_id=1, case_ids=[7], name="Anna Open", email="anna.o@example.org", phone="+44 20 7946 0321"
)


def test_identifiers_are_cut_out_of_staff_text_as_whole_words():
    text = "Called Anna Open on +44 20 7946 0321; Open says anna.o@example.org is right. Annabel agreed."
    assert (
        anna.scrub(text) == f"Called {ERASED} on {ERASED}; {ERASED} says {ERASED} is right. Annabel agreed."
    )


def test_event_data_keeps_codes_and_numbers_and_loses_words_and_addresses():
    data = {
        "action": "respond",
        "from": "new",
        "to": "responded",
        "kind": "case.open.reminder",
        "status": "open",
        "attachments": ["anna-receipt.pdf"],
        "amount": "25.00",
        "clock": 4,
        "message": "Dear Anna, sorry.",
        "changes": {"summary": ["Anna's lamp", "Lamp broken"], "severity": ["low", "high"]},
        "customer": {"id": 1, "name": "Anna Open", "email": "anna.o@example.org"},
        "handle": "anna.o",
    }
    assert anna.redact(data) == {
        "action": "respond",
        "from": "new",
        "to": "responded",
        "kind": "case.open.reminder",
        "status": "open",
        "attachments": [f"{ERASED}-receipt.pdf"],
        "amount": "25.00",
        "clock": 4,
        "message": ERASED,
        "changes": {"summary": [ERASED, ERASED], "severity": ["low", "high"]},
        "customer": {"id": 1, "name": ERASED, "email": ERASED},
        "handle": ERASED,
    }


def test_a_customer_already_erased_has_nothing_left_to_look_for():
    erased = ErasureSubject.of(customer_id=1, case_ids=[7], name="", email="", phone="")
    assert erased.identifiers == () and erased.scrub("Customer called") == "Customer called"
