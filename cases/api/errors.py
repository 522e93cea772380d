"""One error shape for the whole API, and the mapping from domain errors to HTTP.

Every error answers `{"detail", "code", "errors": {field: [messages]}, "problems": [messages]}`:
field errors under `errors` (nested fields as `customer.email`), everything else under `problems`.
"""

import logging

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ..workflow import TransitionError

logger = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


class DuplicateCase(Conflict):
    default_detail = "A case with this source and external_id already exists."
    default_code = "duplicate"

    def __init__(self, *, reference: str, url: str):
        super().__init__()
        self.extra = {"reference": reference, "url": url}
        self.headers = {"Location": url}


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The case has changed since you read it: fetch it again and retry."
    default_code = "stale"


class UnprocessableIdempotencyKey(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was already used with a different request."
    default_code = "idempotency_key_reused"


def _flatten(detail, prefix: str = "") -> tuple[dict[str, list[str]], list[str]]:
    """DRF's nested error detail as {dotted.field: [messages]} plus form-wide problems."""
    errors: dict[str, list[str]] = {}
    problems: list[str] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key in ("non_field_errors", "__all__") and not prefix:
                problems.extend(str(v) for v in _as_list(value))
                continue
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict):
                sub_errors, sub_problems = _flatten(value, name)
                errors.update(sub_errors)
                if sub_problems:
                    errors.setdefault(name, []).extend(sub_problems)
            else:
                errors.setdefault(name, []).extend(str(v) for v in _as_list(value))
    else:
        problems.extend(str(v) for v in _as_list(detail))
    return errors, problems


def _as_list(value) -> list:
    if isinstance(value, list | tuple):
        flat = []
        for item in value:
            flat.extend(_as_list(item) if isinstance(item, list | tuple) else [item])
        return flat
    return [value]


def error_body(*, detail: str, code: str, errors=None, problems=None) -> dict:
    return {"detail": detail, "code": code, "errors": errors or {}, "problems": problems or []}


def _django_validation(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(exc.message_dict)
    return exceptions.ValidationError({"non_field_errors": exc.messages})


def exception_handler(exc, context):
    if isinstance(exc, TransitionError):
        body = error_body(
            detail="The case cannot do that now.", code="transition_refused", problems=exc.problems
        )
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        exc = _django_validation(exc)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, ObjectDoesNotExist | Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors, problems = _flatten(exc.detail)
        response.data = error_body(
            detail="The request has errors: see errors and problems.",
            code="invalid",
            errors=errors,
            problems=problems,
        )
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        extra = getattr(exc, "extra", {}) or {}
        response.data = {
            **error_body(detail=str(detail), code=codes if isinstance(codes, str) else "error"),
            **extra,
        }
    for name, value in (getattr(exc, "headers", None) or {}).items():
        response[name] = value
    return response


class ErrorSerializer(serializers.Serializer):
    """The shape of every error answer (used in the schema)."""

    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    problems = serializers.ListField(child=serializers.CharField())


class ConflictSerializer(ErrorSerializer):
    """409 for a repeated (source, external_id): points at the case that already exists."""

    reference = serializers.CharField(required=False)
    url = serializers.URLField(required=False)
