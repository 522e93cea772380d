"""Two deliveries of the same mail at the same moment (two pollers, an SMTP retry) on PostgreSQL."""

import threading

import pytest
from django.db import connection, connections

from cases.models import Case
from inbound import services
from inbound.models import InboundMessage
from tests.inbound.mail import compose

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent transactions"),
]


def test_the_same_mail_delivered_twice_at_once_opens_one_case(team):
    raw = compose(message_id="<twice@example.com>")
    start = threading.Barrier(2)
    receipts, failures = [], []

    def deliver(via):
        try:
            start.wait()
            receipts.append(services.message_receive(raw=raw, received_via=via))
        except Exception as exc:  # surfaced by the assertion below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver, args=(via,)) for via in ("smtp", "imap")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    assert sorted(r.created for r in receipts) == [False, True]
    assert InboundMessage.objects.count() == 1 and Case.objects.count() == 1
