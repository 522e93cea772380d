"""An erasure takes the customer's photos, call-back numbers and notes, and kills their link."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.privacy import ERASED, ErasureSubject
from messaging.services import message_send
from portal.callbacks import callback_book, callback_log
from portal.models import Callback, CustomerPhoto
from portal.privacy import portal_erase, portal_export

from .conftest import MONDAY_10, link_path
from .test_status_page import PNG

pytestmark = pytest.mark.django_db


def test_an_erasure_leaves_no_photo_number_note_or_live_link(
    phoned, agent, sam, client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    path = link_path(message_send(case=phoned, actor=agent, kind="update", body="Hi").body)
    client.post(
        path + "reply/", {"text": "", "photo": SimpleUploadedFile("me.png", PNG, content_type="image/png")}
    )
    callback = callback_book(case=phoned, actor=agent, starts_at=MONDAY_10 + timedelta(hours=1))
    callback_log(case=phoned, callback_id=callback.pk, actor=agent, made=True, note=f"Spoke to {sam.name}")
    subject = ErasureSubject.of(
        customer_id=sam.pk, case_ids=[phoned.pk], name=sam.name, email=sam.email, phone=sam.phone
    )
    assert any(row.get("phone") == sam.phone for row in portal_export(subject))

    with django_capture_on_commit_callbacks(execute=True):
        counts = portal_erase(subject)

    assert counts == {"portal.photos": 1, "portal.callbacks": 1, "portal.links": 1}
    assert Callback.objects.get(pk=callback.pk).phone == ERASED
    assert sam.name not in Callback.objects.get(pk=callback.pk).note
    assert CustomerPhoto.objects.get().filename == ERASED and not any(tmp_path.rglob("*.png"))
    assert client.get(path).status_code == 404
