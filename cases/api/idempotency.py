"""`Idempotency-Key` on POST: the same key and body get the stored answer, never a second write."""

import datetime
import hashlib
import json
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.response import Response

from ..models import IdempotencyKey
from .errors import UnprocessableIdempotencyKey

HEADER = "Idempotency-Key"
KEEP_FOR = datetime.timedelta(hours=24)


def _fingerprint(request) -> str:
    raw = json.dumps([request.method, request.path, request.data], sort_keys=True, cls=DjangoJSONEncoder)
    return hashlib.sha256(raw.encode()).hexdigest()


def _replay(row: IdempotencyKey) -> Response:
    headers = {"Idempotent-Replayed": "true"}
    if row.location:
        headers["Location"] = row.location
    return Response(row.body, status=row.status_code, headers=headers)


def idempotent(request, run: Callable[[], Response]) -> Response:
    """Run `run()` once per (caller, key). Errors raised by `run` leave the key free for a retry.

    The key row is inserted first, in the same transaction as the write: a concurrent request
    with the same key waits on the unique index, then finds the finished answer and replays it.
    """
    key = request.headers.get(HEADER, "")
    if not key:
        return run()
    if len(key) > 255 or not key.isprintable():
        raise exceptions.ValidationError({HEADER: ["Use at most 255 printable characters."]})
    fingerprint = _fingerprint(request)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(
                    user=request.user, key=key, fingerprint=fingerprint, status_code=0, body={}
                )
        except IntegrityError:
            row = IdempotencyKey.objects.get(user=request.user, key=key)
            if row.fingerprint != fingerprint:
                raise UnprocessableIdempotencyKey() from None
            return _replay(row)
        response = run()
        row.status_code = response.status_code
        row.body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
        row.location = response.get("Location", "")
        row.save(update_fields=["status_code", "body", "location"])
    return response


def idempotency_keys_purge(*, now: datetime.datetime | None = None, batch: int = 5000) -> int:
    """Forget answers older than a day, a bounded batch at a time."""
    cutoff = (now or timezone.now()) - KEEP_FOR
    ids = list(IdempotencyKey.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:batch])
    return IdempotencyKey.objects.filter(pk__in=ids).delete()[0]
