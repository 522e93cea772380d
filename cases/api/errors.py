"""One error shape for the whole API, and the mapping from domain errors to HTTP.

Every error answers `{"detail", "code", "errors": {field: [messages]}, "problems": [messages]}`:
field errors under `errors` (nested fields as `customer.email`), everything else under `problems`.
"""

import logging

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ..services.locking import CaseChanged
from ..workflow import TransitionError

logger = logging.getLogger(__name__)
API_PREFIX = "/api/"


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


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        super().__init__(f"The body is over the {limit // 1024} KiB limit: send less at once.")


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    if isinstance(exc, TransitionError):
        body = error_body(
            detail="The case cannot do that now.", code="transition_refused", problems=exc.problems
        )
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, CaseChanged):
        exc = PreconditionFailed()
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


def _json_error(*, detail: str, code: str, status_code: int) -> JsonResponse:
    return JsonResponse(error_body(detail=detail, code=code), status=status_code)


@csrf_exempt  # answers without side effects: a CSRF page must never stand in for a JSON 404
def api_not_found(request, *args, **kwargs):
    """Unknown API paths answer in the API's error shape, with a hint for a missing slash."""
    detail = "No such endpoint."
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            detail = f"No such endpoint: API paths end with a slash ({request.path}/)."
    return _json_error(detail=detail, code="not_found", status_code=404)


def handler400(request, exception=None):
    """Outside DRF's views (or before them), bad requests to /api/ still answer in JSON."""
    if not request.path.startswith(API_PREFIX):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        too_large = PayloadTooLarge()
        return _json_error(detail=str(too_large.detail), code="too_large", status_code=413)
    return _json_error(detail="The request could not be read.", code="bad_request", status_code=400)


def handler403(request, exception=None):
    if not request.path.startswith(API_PREFIX):
        return defaults.permission_denied(request, exception)
    return _json_error(detail="You may not do that.", code="permission_denied", status_code=403)


def handler404(request, exception=None):
    if not request.path.startswith(API_PREFIX):
        return defaults.page_not_found(request, exception)
    return api_not_found(request)


def handler500(request):
    if not request.path.startswith(API_PREFIX):
        return defaults.server_error(request)
    return _json_error(detail="Something went wrong on our side.", code="server_error", status_code=500)
