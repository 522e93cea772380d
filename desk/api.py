"""Macros and the customer's story over HTTP, for integrators. Thin: one selector or service each.

A macro may give a remedy, and authority over money belongs to a person: a token names the person
it acts for (`on_behalf_of`), whose caps then decide, as for a remedy given on its own.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import User
from cases.api.errors import error_body
from cases.api.idempotency import idempotent
from cases.api.pagination import cursor_by
from cases.api.schema import CASE_ERRORS, IDEMPOTENCY_KEY, LIST_ERRORS, WRITE_ERRORS
from cases.api.serializers import StrictInput
from cases.api.views import CaseScopedViewSet
from cases.models import Customer
from integrations.auth import ON_BEHALF_OF_HELP, acting_person

from . import selectors
from .macros import MacroRefused, macro_apply, macros_offered
from .models import Macro

AMOUNT = {"max_digits": 12, "decimal_places": 2, "coerce_to_string": True}


class MacroOut(serializers.ModelSerializer):
    steps = serializers.ListField(child=serializers.CharField(), read_only=True)
    message_template = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    remedy_kind = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    remedy_amount = serializers.DecimalField(**AMOUNT, read_only=True, allow_null=True)

    class Meta:
        model = Macro
        fields = [
            "id", "name", "description", "steps", "message_template", "remedy_kind", "remedy_amount",
            "remedy_currency", "promise_what", "promise_hours", "note",
        ]  # fmt: skip
        read_only_fields = fields


class MacroApplyIn(StrictInput, serializers.Serializer):
    macro = serializers.PrimaryKeyRelatedField(queryset=Macro.objects.filter(active=True))
    on_behalf_of = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text=ON_BEHALF_OF_HELP,
    )


class MacroResultOut(serializers.Serializer):
    macro = serializers.IntegerField()
    done = serializers.ListField(child=serializers.CharField())
    awaiting_approval = serializers.ListField(
        child=serializers.CharField(), help_text="Remedies over the person's authority, sent for approval."
    )


@extend_schema_view(
    list=extend_schema(summary="Macros on offer", responses={200: MacroOut(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(summary="Read a macro", responses={200: MacroOut, **CASE_ERRORS}),
)
class MacroViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MacroOut
    pagination_class = cursor_by("position", "id")
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self):
        return macros_offered()


class CaseMacroViewSet(CaseScopedViewSet):
    """Applying a macro to a case (`cases/<reference>/macros/`)."""

    @extend_schema(
        summary="Apply a macro: every step or none (422 names the refused step); an over-cap remedy is "
        "sent for approval and the rest applies",
        request=MacroApplyIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: MacroResultOut, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="macros", filter_backends=[])
    def macros(self, request, reference: str):
        return idempotent(request, lambda: self._apply(request))

    def _apply(self, request) -> Response:
        case = self._case()
        data = MacroApplyIn(data=request.data)
        data.is_valid(raise_exception=True)
        person, _via = acting_person(request, data.validated_data.get("on_behalf_of"))
        macro = data.validated_data["macro"]
        try:
            result = macro_apply(case=case, actor=person, macro=macro)
        except MacroRefused as exc:
            return Response(
                error_body(detail=str(exc), code="macro_refused", problems=exc.problems), status=422
            )
        body = {"macro": macro.pk, "done": result.done, "awaiting_approval": result.awaiting_approval}
        return Response(MacroResultOut(body).data, status=status.HTTP_200_OK)


class CaseLine(serializers.Serializer):
    reference = serializers.CharField()
    summary = serializers.CharField()
    status = serializers.CharField()
    opened_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolution = serializers.CharField(help_text="The outcome for the customer; empty while open.")


class RemedyLineOut(serializers.Serializer):
    case = serializers.CharField(source="remedy.case.reference")
    kind = serializers.CharField(source="remedy.kind.code")
    amount = serializers.DecimalField(source="remedy.amount", **AMOUNT)
    currency = serializers.CharField(source="remedy.currency")
    given_at = serializers.DateTimeField(source="remedy.given_at")
    running_total = serializers.DecimalField(**AMOUNT, help_text="All remedies so far, in this currency.")


class MessageLine(serializers.Serializer):
    case = serializers.CharField(source="case.reference")
    kind = serializers.CharField()
    channel = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class SurveyLine(serializers.Serializer):
    case = serializers.CharField(source="case.reference")
    score = serializers.IntegerField()
    comment = serializers.CharField()
    answered_at = serializers.DateTimeField()


class FollowUpLine(serializers.Serializer):
    case = serializers.CharField(source="case.reference")
    outcome = serializers.CharField()
    note = serializers.CharField()
    recorded_at = serializers.DateTimeField()


class CustomerStoryOut(serializers.Serializer):
    id = serializers.IntegerField(source="customer.pk")
    name = serializers.CharField(source="customer.name")
    email = serializers.CharField(source="customer.email")
    phone = serializers.CharField(source="customer.phone")
    cases = CaseLine(many=True)
    remedies = RemedyLineOut(many=True)
    totals = serializers.DictField(child=serializers.DecimalField(**AMOUNT), help_text="currency -> total")
    last_12_months = serializers.DictField(
        child=serializers.DecimalField(**AMOUNT), source="year_totals", help_text="currency -> total"
    )
    messages = MessageLine(many=True)
    surveys = SurveyLine(many=True)
    follow_ups = FollowUpLine(many=True)


class CustomerStoryViewSet(viewsets.GenericViewSet):
    """The customer page's data (`customers/<id>/story/`): the cases the caller may see."""

    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self):
        return Customer.objects.none()

    @extend_schema(summary="A customer's whole story: cases, remedies, messages, surveys and follow-ups",
                   responses={200: CustomerStoryOut, **CASE_ERRORS})  # fmt: skip
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def story(self, request, pk: str):
        try:
            customer = selectors.customer_for(request.user, int(pk))
        except Customer.DoesNotExist:
            raise exceptions.NotFound("No such customer.") from None
        return Response(CustomerStoryOut(selectors.customer_story(request.user, customer)).data)


ENDPOINTS = [
    ("macros", MacroViewSet, "macro"),
    ("cases", CaseMacroViewSet, "case"),
    ("customers", CustomerStoryViewSet, "customer"),
]
