"""A customer's texts and public posts are in their export and gone after their erasure."""

import pytest

from cases.models import Case
from cases.services.privacy import customer_erase, customer_export
from conversations.models import InboundSms, Mention, PublicCase, SmsOptOut

from .conftest import hmac_post, mention_post
from .test_mentions import review

pytestmark = pytest.mark.django_db


def test_texts_and_posts_are_exported_then_erased_but_the_opt_out_stays(client, gateways, monitor, manager):
    sms = hmac_post(
        client, {"type": "message", "id": "g-1", "from": "07700 900777", "text": "My order is late"}
    )
    case = Case.objects.get(reference=sms.json()["case"])
    hmac_post(client, {"type": "message", "id": "g-2", "from": "07700 900777", "text": "STOP"})
    posted = mention_post(client, monitor, review(author_handle="@late_lou")).json()
    public_case = Case.objects.get(reference=posted["case"])
    exported = customer_export(customer=case.customer, actor=manager)
    assert {t["text"] for t in exported["conversations"]} >= {"My order is late", "STOP"}
    assert any(
        m["author"] == "@late_lou"
        for m in customer_export(customer=public_case.customer, actor=manager)["conversations"]
    )
    customer_erase(customer=case.customer, actor=manager, reason="Asked to be forgotten")
    customer_erase(customer=public_case.customer, actor=manager, reason="Asked to be forgotten")
    assert not InboundSms.objects.filter(body__contains="late").exists()
    assert not InboundSms.objects.filter(from_phone="+447700900777").exists()
    assert not Mention.objects.filter(author_handle="@late_lou").exists()
    assert not PublicCase.objects.filter(author_handle="@late_lou").exists()
    assert SmsOptOut.objects.filter(phone="+447700900777", opted_out=True).exists()
