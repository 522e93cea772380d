"""Shared pieces of the OpenAPI description: error answers and headers."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from .errors import ConflictSerializer, ErrorSerializer

ERROR_TEXT = {
    400: "Invalid input: field errors under `errors`, other reasons (e.g. workflow guards) under `problems`.",
    401: "No token, or an unknown or revoked one.",
    403: "Authenticated but not allowed (e.g. a read-only token writing, an agent taking a lead's step).",
    404: "No such object, or it belongs to a team the caller does not see.",
    409: "Conflict: a case with this (source, external_id) exists; `url` and `Location` point at it.",
    412: "If-Match does not match the case's current ETag: read it again and retry.",
    422: "This Idempotency-Key was already used with a different request.",
    429: "Too many requests for this token; wait `Retry-After` seconds.",
}


def errors_for(*codes: int) -> dict[int, OpenApiResponse]:
    return {
        code: OpenApiResponse(
            ConflictSerializer if code == 409 else ErrorSerializer, description=ERROR_TEXT[code]
        )
        for code in codes
    }


# 400: an unknown query parameter or a bad filter value; 404 on a list: a cursor that is not ours.
CASE_ERRORS = errors_for(400, 401, 404, 429)
LIST_ERRORS = errors_for(400, 401, 404, 429)
WRITE_ERRORS = errors_for(400, 401, 403, 404, 412, 422, 429)

ETAG_HEADER = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description="The case's version; send it back as If-Match.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag you read; a stale one gets 412. Leave it out to accept last-write-wins.",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Retry safely: the same key and body return the stored answer (for 24 hours).",
)
