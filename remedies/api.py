"""Remedies and approvals over HTTP. Thin: parse input, call one service, answer with the result.

Money travels as a decimal string with its currency code: a JSON number is a float to most
clients, and a float has already lost the cents.
"""

import django_filters
from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import User
from cases.api.idempotency import idempotent
from cases.api.pagination import cursor_by
from cases.api.schema import CASE_ERRORS, IDEMPOTENCY_KEY, LIST_ERRORS, WRITE_ERRORS, errors_for
from cases.api.serializers import StrictInput, UserOut
from cases.api.views import CaseScopedViewSet
from cases.permissions import visible_cases
from integrations.auth import ON_BEHALF_OF_HELP, acting_person

from . import selectors, services
from .models import MONEY, ApprovalRequest, ApprovalStatus, Remedy, RemedyKind
from .services import PLAIN_DECIMAL

AMOUNT = {
    "max_digits": MONEY["max_digits"],
    "decimal_places": MONEY["decimal_places"],
    "coerce_to_string": True,
}


class MoneyString(serializers.CharField):
    """An amount as a string ("12.50"). A JSON number is refused rather than rounded."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", 'A decimal string with at most two decimals, e.g. "12.50".')
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError('Send the amount as a string, e.g. "12.50", not as a number.')
        text = super().to_internal_value(data)
        if not PLAIN_DECIMAL.fullmatch(text):
            # Decimal reads "1e3" as 1000 and "NaN" as a number: money is written in plain digits.
            raise serializers.ValidationError('Write the amount in plain digits, e.g. "12.50".')
        return text


class RemedyKindOut(serializers.ModelSerializer):
    default_amount = serializers.DecimalField(**AMOUNT, read_only=True)

    class Meta:
        model = RemedyKind
        fields = ["code", "name", "default_amount", "costs_money", "active"]


class RemedyOut(serializers.ModelSerializer):
    kind = serializers.SlugRelatedField(slug_field="code", read_only=True)
    kind_name = serializers.CharField(source="kind.name", read_only=True)
    amount = serializers.DecimalField(**AMOUNT, read_only=True)
    given_by = UserOut(read_only=True)
    approval = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Remedy
        fields = [
            "id", "kind", "kind_name", "amount", "currency", "note", "plus_one", "given_by", "given_at",
            "approval",
        ]  # fmt: skip
        read_only_fields = fields


class ApprovalOut(serializers.ModelSerializer):
    case = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    kind = serializers.SlugRelatedField(slug_field="code", read_only=True)
    amount = serializers.DecimalField(**AMOUNT, read_only=True)
    requested_by = UserOut(read_only=True)
    assigned_to = UserOut(read_only=True, allow_null=True)
    decided_by = UserOut(read_only=True, allow_null=True)

    class Meta:
        model = ApprovalRequest
        fields = [
            "id", "case", "kind", "amount", "currency", "note", "plus_one", "reason", "status",
            "requested_by", "assigned_to", "requested_at", "due_at", "escalated_at", "decided_by",
            "decided_at", "decision_reason",
        ]  # fmt: skip
        read_only_fields = fields


def _on_behalf_of():
    return serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text=ON_BEHALF_OF_HELP,
    )


class RemedyIn(StrictInput, serializers.Serializer):
    on_behalf_of = _on_behalf_of()
    kind = serializers.SlugRelatedField(slug_field="code", queryset=RemedyKind.objects.filter(active=True))
    amount = MoneyString()
    currency = serializers.CharField(max_length=3, required=False, help_text="ISO 4217; default GBP.")
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    plus_one = serializers.BooleanField(required=False, default=False)
    confirm = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Confirm the warning that this takes the customer past the 12-month total.",
    )


class DecisionIn(StrictInput, serializers.Serializer):
    on_behalf_of = _on_behalf_of()
    approve = serializers.BooleanField()
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class CaseRemedyViewSet(CaseScopedViewSet):
    """A case's remedies, and giving one (routed under the case: `cases/<reference>/remedies/`)."""

    @extend_schema(
        methods=["GET"],
        summary="Remedies given on the case, oldest first",
        responses={200: RemedyOut(many=True), **CASE_ERRORS},
        parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
    )
    @extend_schema(
        methods=["POST"],
        summary="Give a remedy: 201 within the caller's authority, 202 with an approval request over it",
        request=RemedyIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: RemedyOut,
            202: OpenApiResponse(ApprovalOut, description="Over a cap: an approval request was raised."),
            **WRITE_ERRORS,
        },
    )
    @action(
        detail=True, methods=["get", "post"], pagination_class=cursor_by("given_at", "id"), filter_backends=[]
    )
    def remedies(self, request, reference: str):
        case = self._case()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.case_remedies(case))
            return self.get_paginated_response(RemedyOut(page, many=True).data)
        return idempotent(request, lambda: self._give(request, case))

    def _give(self, request, case) -> Response:
        data = RemedyIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        person, via = acting_person(request, d.get("on_behalf_of"))
        result = services.remedy_give(
            case=case,
            actor=person,
            via=via,
            kind=d["kind"],
            amount=d["amount"],
            currency=d.get("currency") or settings.DEFAULT_CURRENCY,
            note=d["note"],
            plus_one=d["plus_one"],
            confirmed_customer_total=d["confirm"],
        )
        if result.approval is not None:
            approval = _approvals().get(pk=result.approval.pk)
            location = request.build_absolute_uri(reverse("api:approval-detail", kwargs={"pk": approval.pk}))
            return Response(
                ApprovalOut(approval).data, status=status.HTTP_202_ACCEPTED, headers={"Location": location}
            )
        remedy = selectors.case_remedies(case).get(pk=result.remedy.pk)
        return Response(RemedyOut(remedy).data, status=status.HTTP_201_CREATED)


def _approvals():
    return ApprovalRequest.objects.select_related("case", "kind", "requested_by", "assigned_to", "decided_by")


class ApprovalFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=ApprovalStatus.choices, help_text="Repeat for several."
    )
    assigned_to_me = django_filters.BooleanFilter(
        method="mine", help_text="Only requests routed to the caller."
    )

    class Meta:
        model = ApprovalRequest
        fields: list[str] = []

    def mine(self, queryset, name, value):
        if value is None:
            return queryset
        me = self.request.user
        return queryset.filter(assigned_to=me) if value else queryset.exclude(assigned_to=me)


@extend_schema_view(
    list=extend_schema(
        summary="Approval requests on the caller's teams' cases, soonest due first",
        responses={200: ApprovalOut(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="Read an approval request", responses={200: ApprovalOut, **CASE_ERRORS}),
)
class ApprovalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ApprovalOut
    filterset_class = ApprovalFilter
    pagination_class = cursor_by("due_at", "id")
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApprovalRequest.objects.none()
        # Another team's request is a 404, like another team's case.
        return _approvals().filter(case__in=visible_cases(self.request.user))

    @extend_schema(
        summary="Approve (the remedy is given) or deny, with a reason (leads and managers)",
        request=DecisionIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: ApprovalOut, **errors_for(400, 401, 403, 404, 422, 429)},
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk: str):
        return idempotent(request, lambda: self._decide(request))

    def _decide(self, request) -> Response:
        approval = self.get_object()
        data = DecisionIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        person, via = acting_person(request, d.pop("on_behalf_of", None))
        services.approval_decide(approval=approval, actor=person, via=via, **d)
        return Response(ApprovalOut(_approvals().get(pk=approval.pk)).data)


@extend_schema_view(
    list=extend_schema(
        summary="Remedy kinds on offer", responses={200: RemedyKindOut(many=True), **LIST_ERRORS}
    ),
    retrieve=extend_schema(summary="Read a remedy kind", responses={200: RemedyKindOut, **CASE_ERRORS}),
)
class RemedyKindViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = RemedyKind.objects.filter(active=True)
    serializer_class = RemedyKindOut
    pagination_class = cursor_by("position", "id")
    lookup_field = "code"
    lookup_value_regex = "[-a-zA-Z0-9_]{1,40}"


ENDPOINTS = [
    ("cases", CaseRemedyViewSet, "case"),
    ("approvals", ApprovalViewSet, "approval"),
    ("remedy-kinds", RemedyKindViewSet, "remedy-kind"),
]
