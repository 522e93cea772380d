"""Input and output shapes of the API. Inputs validate; the services decide what is allowed."""

import copy
from collections.abc import Mapping
from urllib.parse import quote

from django.db.models import Exists, OuterRef
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Team, User

from ..directory import directory
from ..models import (
    ActionStatus,
    Case,
    CaseEvent,
    Channel,
    CorrectiveAction,
    Customer,
    CustomerExternalId,
    DifferentAnswer,
    JourneyStage,
    Product,
    RootCause,
    Severity,
    WhatAnswer,
    WhyAnswer,
)
from ..selectors import active_products
from ..workflow import Action

# An integration's own user is no person: it owns no case, takes no hand-off, owns no action.
PEOPLE = User.objects.filter(is_active=True, api_token__isnull=True)


# Fields a client may read but never write here, and where they do change.
WRITTEN_ELSEWHERE = {
    "status": "The status changes only by a transition: POST .../transition/ with an action.",
    "triage_stage": "The triage stage changes only by a transition (complete_what, ...).",
    "owner": "The owner changes only by POST .../assign/.",
    "team": "The team changes only by POST .../assign/ with to_team.",
}


SHARES_A_CHILD = (
    serializers.ListSerializer,
    serializers.ManyRelatedField,
    serializers.ListField,
    serializers.DictField,
)


def _fresh(field):
    return field.__class__(*field._args, **field._kwargs)


class StrictInput:
    """Mixed into input serializers: a field the server would ignore is refused, never dropped.

    A client that sends `status` in a PATCH, or misspells a field, learns it at once instead of
    believing the change was made.
    """

    def get_fields(self):
        # Each request gets fields of its own, as DRF's deep copy gives it, built afresh from the
        # arguments they were declared with. The deep copy also copied those arguments (querysets,
        # choices), some two hundred objects for a case: a tenth of a create's CPU. The arguments
        # are only read: a related field clones its queryset before use, choices become a new dict.
        # A list of fields holds its child field among its arguments: that one is deep-copied.
        if isinstance(self, serializers.ModelSerializer):
            return super().get_fields()  # its fields come from the model as well
        return {
            name: copy.deepcopy(field) if isinstance(field, SHARES_A_CHILD) else _fresh(field)
            for name, field in self._declared_fields.items()
        }

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                raise serializers.ValidationError(
                    {
                        name: [
                            WRITTEN_ELSEWHERE.get(name)
                            or (
                                "This field is read-only."
                                if name in self.fields
                                else "Unknown field: it is not part of this request."
                            )
                        ]
                        for name in unknown
                    }
                )
        return super().to_internal_value(data)


class TeamOut(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "slug", "lead"]


class UserOut(serializers.ModelSerializer):
    name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "role"]


class ProductOut(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name", "active"]


class RootCauseOut(serializers.ModelSerializer):
    label = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = RootCause
        fields = ["id", "name", "parent", "label", "description", "active"]


class ExternalIdSerializer(serializers.Serializer):
    source = serializers.CharField(max_length=50)
    external_id = serializers.CharField(max_length=200)


class CustomerOut(serializers.ModelSerializer):
    external_ids = ExternalIdSerializer(many=True, read_only=True)

    class Meta:
        model = Customer
        fields = ["id", "name", "email", "phone", "external_ids", "created_at"]


class CustomerIn(StrictInput, serializers.Serializer):
    """A customer to find or create: matched by (source, external_id), then e-mail, then phone."""

    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    phone = serializers.RegexField(r"^\+?[0-9 ()-]{6,20}$", required=False, allow_blank=True, default="")
    source = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    external_id = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate(self, data):
        if bool(data["source"]) != bool(data["external_id"]):
            raise serializers.ValidationError({"external_id": "Give source and external_id together."})
        if not (data["email"] or data["phone"] or data["external_id"]):
            raise serializers.ValidationError(
                {"email": "Give an e-mail, a phone number or an external id, so we can find them again."}
            )
        return data


def visible_customers(request):
    """Customers the caller may read: people find anyone (the browser's lookup at intake does too);
    an integration's token only the customers of its teams' cases, and those with no case yet
    (found or created just before opening one)."""
    # A token authenticates as request.auth (with its teams); a person signed in has none.
    if getattr(getattr(request, "auth", None), "teams", None) is not None:
        # Both as EXISTS on the customer's own cases (an index probe per customer asked for),
        # never "every customer of the team's cases", which grew with the table. The token's
        # teams are its user's (api_token_sync_teams), known to the process with the token: by
        # id, the filter compiles in 1.5 ms instead of 2.4 ms with the token's teams as a subquery.
        return Customer.objects.filter(
            Exists(Case.objects.filter(customer=OuterRef("pk"), team_id__in=request.user.team_ids))
            | ~Exists(Case.objects.filter(customer=OuterRef("pk")))
        )
    return Customer.objects.all()


@extend_schema_field(OpenApiTypes.INT)
class VisibleCustomerField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return visible_customers(self.context.get("request"))


class CustomerRefIn(CustomerIn):
    """Either an existing customer's `id`, or the details to find or create one."""

    id = VisibleCustomerField(required=False)

    def validate(self, data):
        if data.get("id") is not None:
            return data
        return super().validate(data)


class CaseOut(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    customer = CustomerOut(read_only=True)
    team = TeamOut(read_only=True)
    owner = UserOut(read_only=True, allow_null=True)
    product = ProductOut(read_only=True)

    class Meta:
        model = Case
        fields = [
            "reference",
            "url",
            "status",
            "triage_stage",
            "channel",
            "severity",
            "summary",
            "description",
            "product",
            "journey_stage",
            "customer",
            "team",
            "owner",
            "source",
            "external_id",
            "source_reference",
            "first_response",
            "resolution",
            "follow_up_note",
            "handoff_count",
            "reopen_count",
            "version",
            "opened_at",
            "first_responded_at",
            "resolved_at",
            "followed_up_at",
            "closed_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, case: Case) -> str:
        # reverse() and build_absolute_uri() once per answer, not once per case of a page.
        template = self.context.get("_case_url")
        if template is None:
            path = reverse("api:case-detail", kwargs={"reference": _URL_MARKER})
            request = self.context.get("request")
            template = request.build_absolute_uri(path) if request else path
            self.context["_case_url"] = template
        return template.replace(_URL_MARKER, quote(case.reference, safe=_URL_SAFE))

    def to_representation(self, case: Case) -> dict:
        # Written out by hand: DRF builds and deep-copies some forty fields for every case it
        # serialises (5 ms of a create's answer, 0.3 ms per case of a page). The declared fields
        # remain the schema; a test holds this equal to what DRF would write.
        customer = case.customer
        tz = _DATETIME.default_timezone()
        return {
            "reference": case.reference,
            "url": self.get_url(case),
            "status": str(case.status),
            "triage_stage": str(case.triage_stage),
            "channel": str(case.channel),
            "severity": str(case.severity),
            "summary": case.summary,
            "description": case.description,
            "product": _product_out(case),
            "journey_stage": str(case.journey_stage),
            "customer": {
                "id": customer.pk,
                "name": customer.name,
                "email": customer.email,
                "phone": customer.phone,
                "external_ids": [
                    {"source": source, "external_id": external_id}
                    for source, external_id in _external_ids(customer)
                ],
                "created_at": _when(customer.created_at, tz),
            },
            "team": _team_out(case),
            "owner": _owner_out(case),
            "source": case.source,
            "external_id": case.external_id,
            "source_reference": case.source_reference,
            "first_response": case.first_response,
            "resolution": case.resolution,
            "follow_up_note": case.follow_up_note,
            "handoff_count": case.handoff_count,
            "reopen_count": case.reopen_count,
            "version": case.version,
            "opened_at": _when(case.opened_at, tz),
            "first_responded_at": _when(case.first_responded_at, tz),
            "resolved_at": _when(case.resolved_at, tz),
            "followed_up_at": _when(case.followed_up_at, tz),
            "closed_at": _when(case.closed_at, tz),
            "updated_at": _when(case.updated_at, tz),
        }


_DATETIME = serializers.DateTimeField()
_URL_MARKER = "__reference__"
# What reverse() leaves unquoted in a path argument (django.urls.resolvers).
_URL_SAFE = "!$&'()*+,;=/~:@"


def _when(value, tz=None):
    """DRF's DateTimeField output (in the current time zone, UTC as "Z"), without its per-value
    time-zone lookup: a page writes seven instants per case."""
    if value is None:
        return None
    if tz is None or value.tzinfo is None:
        return _DATETIME.to_representation(value)
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


# A case read with its team, product and owner joined (select_related) shows those instances;
# one read without them (the API's list and detail) takes them from the directory.


def _team_out(case: Case) -> dict:
    if not Case.team.is_cached(case):
        held = directory().teams.get(case.team_id)
        if held is not None:
            return held
    team = case.team
    return {"id": team.pk, "name": team.name, "slug": team.slug, "lead": team.lead_id}


def _product_out(case: Case) -> dict:
    if not Case.product.is_cached(case):
        held = directory().products.get(case.product_id)
        if held is not None:
            return held
    product = case.product
    return {"id": product.pk, "name": product.name, "active": product.active}


def _owner_out(case: Case) -> dict | None:
    if case.owner_id is None:
        return None
    if not Case.owner.is_cached(case):
        held = directory().people_of([case.owner_id]).get(case.owner_id)
        if held is not None:
            return held
    owner = case.owner
    return {"id": owner.pk, "username": owner.username, "name": owner.get_full_name(), "role": owner.role}


def _external_ids(customer: Customer) -> list[tuple[str, str]]:
    pairs = getattr(customer, "external_id_pairs", None)
    if pairs is None:
        pairs = [(link.source, link.external_id) for link in customer.external_ids.all()]
    return pairs


def with_external_ids(cases) -> None:
    """The external ids of the cases' customers in one query, as plain pairs on each customer:
    a page's prefetch built a model and cloned a queryset per case for two strings."""
    customers = {case.customer_id: case.customer for case in cases}
    for customer in customers.values():
        customer.external_id_pairs = []
    if not customers:
        return
    links = CustomerExternalId.objects.filter(customer_id__in=customers).order_by("pk")
    for customer_id, source, external_id in links.values_list("customer_id", "source", "external_id"):
        customers[customer_id].external_id_pairs.append((source, external_id))


class ActiveProductField(serializers.PrimaryKeyRelatedField):
    """An active product by id, found among the products kept per process (cases.config)
    instead of by a query per request; errors and schema as PrimaryKeyRelatedField's."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            pk = int(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        product = active_products().get(pk)
        if product is None:
            self.fail("does_not_exist", pk_value=data)
        return product


class CaseIn(StrictInput, serializers.Serializer):
    customer = CustomerRefIn()
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
    summary = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")
    product = ActiveProductField(queryset=Product.objects.filter(active=True))
    journey_stage = serializers.ChoiceField(choices=JourneyStage.choices)
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MEDIUM)
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, help_text="Optional when the caller has one team."
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=PEOPLE, required=False, help_text="Left out: the case waits unassigned in the team's queue."
    )
    source_reference = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    source = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    external_id = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate(self, data):
        if data["external_id"] and not data["source"]:
            raise serializers.ValidationError({"source": "Name the system that owns external_id."})
        return data


class CaseUpdateIn(StrictInput, serializers.Serializer):
    summary = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.filter(active=True), required=False)
    journey_stage = serializers.ChoiceField(choices=JourneyStage.choices, required=False)
    source_reference = serializers.CharField(max_length=500, required=False, allow_blank=True)


class TransitionIn(StrictInput, serializers.Serializer):
    action = serializers.ChoiceField(choices=[(a.value, a.value) for a in Action])
    message = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, help_text="respond: the apology and ownership."
    )
    reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, help_text="wait_on_customer, reopen: why."
    )
    resolution = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, help_text="resolve: what was done."
    )
    note = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, help_text="follow_up: what the customer said."
    )


class AssignIn(StrictInput, serializers.Serializer):
    to_owner = serializers.PrimaryKeyRelatedField(queryset=PEOPLE)
    to_team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False)
    reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="", help_text="Needed for a hand-off."
    )


class NoteIn(StrictInput, serializers.Serializer):
    text = serializers.CharField(max_length=10000)


class EventOut(serializers.ModelSerializer):
    actor = UserOut(read_only=True, allow_null=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "actor", "created_at", "data"]


class NoteOut(serializers.ModelSerializer):
    author = UserOut(source="actor", read_only=True, allow_null=True)
    text = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = ["id", "author", "text", "created_at"]

    def get_text(self, event: CaseEvent) -> str:
        return str(event.data.get("text", ""))


class WhatAnswerSerializer(StrictInput, serializers.ModelSerializer):
    updated_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Null until the stage is first answered."
    )

    class Meta:
        model = WhatAnswer
        exclude = ["id", "case"]
        read_only_fields = ["updated_at"]


class WhyAnswerSerializer(StrictInput, serializers.ModelSerializer):
    root_cause = serializers.PrimaryKeyRelatedField(
        queryset=RootCause.objects.filter(active=True), required=False, allow_null=True
    )

    updated_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Null until the stage is first answered."
    )

    class Meta:
        model = WhyAnswer
        exclude = ["id", "case"]
        read_only_fields = ["updated_at"]


class DifferentAnswerSerializer(StrictInput, serializers.ModelSerializer):
    updated_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Null until the stage is first answered."
    )

    class Meta:
        model = DifferentAnswer
        exclude = ["id", "case"]
        read_only_fields = ["updated_at"]


class CorrectiveActionOut(serializers.ModelSerializer):
    owner = UserOut(read_only=True)

    class Meta:
        model = CorrectiveAction
        fields = ["id", "description", "owner", "due_date", "status", "created_at", "completed_at"]


class CorrectiveActionIn(StrictInput, serializers.Serializer):
    description = serializers.CharField(max_length=5000)
    owner = serializers.PrimaryKeyRelatedField(queryset=PEOPLE)
    due_date = serializers.DateField()


class CorrectiveActionStatusIn(StrictInput, serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionStatus.choices)
