"""Replies over HTTP: what the case page's composer does, for integrators.

A public reply goes through `message_send` (the owner's first one, or the apology, is the case's
first response); an internal note through the core's `case_add_note`. One endpoint for both, as
one composer on the page.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.api.idempotency import idempotent
from cases.api.schema import CASE_ERRORS, IDEMPOTENCY_KEY, IF_MATCH, WRITE_ERRORS
from cases.api.serializers import StrictInput
from cases.api.views import CaseScopedViewSet, _expected_version
from cases.services import case_add_note

from .conversation import case_conversation
from .models import MessageKind, MessageTemplate
from .services import message_send

SENDABLE = [k for k in MessageKind.values if k != MessageKind.ACKNOWLEDGEMENT]


class ReplyIn(StrictInput, serializers.Serializer):
    visibility = serializers.ChoiceField(
        choices=["public", "internal"], default="public", help_text="A message to the customer, or a note."
    )
    template = serializers.PrimaryKeyRelatedField(
        queryset=MessageTemplate.objects.filter(active=True).exclude(kind=MessageKind.ACKNOWLEDGEMENT),
        required=False,
        allow_null=True,
        help_text="Its kind decides the case move (the apology is the first response).",
    )
    kind = serializers.ChoiceField(
        choices=SENDABLE, required=False, help_text="Without a template: the kind of message; default free."
    )
    channel = serializers.CharField(
        max_length=10,
        required=False,
        allow_blank=True,
        default="",
        help_text='"email" or "sms"; empty: the customer\'s channel.',
    )
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    body = serializers.CharField(max_length=5000, help_text="Placeholders like {first_name} are filled in.")
    what = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class EntryOut(serializers.Serializer):
    direction = serializers.ChoiceField(choices=["out", "in", "note"])
    at = serializers.DateTimeField()
    who = serializers.CharField()
    channel = serializers.CharField()
    kind = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField()
    state = serializers.CharField(help_text="An outgoing message's delivery: queued, delivered or failed.")


class ConversationOut(serializers.Serializer):
    """The newest entries of the thread (at most 50), oldest first: a thread, not a paged list."""

    case = serializers.CharField(help_text="The case's reference.")
    entries = EntryOut(many=True)


class CaseReplyViewSet(CaseScopedViewSet):
    """A case's conversation, and replying (routed under the case: `cases/<reference>/replies/`)."""

    @extend_schema(
        methods=["GET"],
        summary="The conversation: messages in and out and internal notes, oldest first",
        responses={200: ConversationOut, **CASE_ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        summary="Reply to the customer (e-mail or SMS) or add an internal note",
        request=ReplyIn,
        parameters=[IDEMPOTENCY_KEY, IF_MATCH],
        responses={201: EntryOut, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def replies(self, request, reference: str):
        case = self._case()
        if request.method == "GET":
            entries = case_conversation(case)
            return Response(ConversationOut({"case": case.reference, "entries": entries}).data)
        return idempotent(request, lambda: self._reply(request, case))

    def _reply(self, request, case) -> Response:
        data = ReplyIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        if d["visibility"] == "internal":
            case_add_note(
                case=case, actor=request.user, text=d["body"], expected_version=_expected_version(request)
            )
        else:
            template = d.get("template")
            message_send(
                case=case,
                actor=request.user,
                kind=template.kind if template else d.get("kind") or MessageKind.FREE,
                body=d["body"],
                subject=d["subject"],
                channel=d["channel"],
                what=d["what"],
                due_at=d["due_at"],
                expected_version=_expected_version(request),
            )
        latest = case_conversation(case)[-1]
        return Response(EntryOut(latest).data, status=status.HTTP_201_CREATED)


ENDPOINTS = [("cases", CaseReplyViewSet, "case")]
