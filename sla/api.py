"""SLA clocks, policies and calendars over HTTP. Reads for every token; edits go through the
SLA services, which re-target the open clocks and refuse anyone who may not manage policies."""

import datetime

import django_filters
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.api.pagination import WholeList, cursor_by
from cases.api.schema import CASE_ERRORS, LIST_ERRORS, WRITE_ERRORS
from cases.api.serializers import StrictInput
from cases.api.views import CaseScopedViewSet
from cases.models import Channel, Severity

from . import selectors, services
from .models import BusinessCalendar, Clock, ClockState, Policy, Target


class ClockOut(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True)
    met_at = serializers.SerializerMethodField()
    paused = serializers.SerializerMethodField()
    business_minutes = serializers.FloatField(
        source="business_minutes_taken", read_only=True, allow_null=True, help_text="Taken, once stopped."
    )

    class Meta:
        model = Clock
        fields = [
            "id", "kind", "title", "state", "target_minutes", "started_at", "due_at", "warn_at", "warned_at",
            "met_at", "breached_at", "stopped_at", "paused", "business_minutes",
        ]  # fmt: skip
        read_only_fields = fields

    def get_met_at(self, clock: Clock) -> str | None:
        return (
            serializers.DateTimeField().to_representation(clock.stopped_at)
            if clock.state == ClockState.MET
            else None
        )

    def get_paused(self, clock: Clock) -> bool:
        return clock.state == ClockState.PAUSED


class TargetOut(serializers.ModelSerializer):
    class Meta:
        model = Target
        fields = ["kind", "minutes", "business_hours", "warnings"]


class AnyOrChoice(serializers.ChoiceField):
    """A policy's severity or channel; stored empty for "any", answered as null (empty is no choice)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, help_text="Null: any.", **kwargs)

    def to_representation(self, value):
        return value or None


class PolicyOut(serializers.ModelSerializer):
    targets = TargetOut(many=True, read_only=True)
    severity = AnyOrChoice(choices=Severity.choices)
    channel = AnyOrChoice(choices=Channel.choices)

    class Meta:
        model = Policy
        fields = [
            "id",
            "name",
            "kind",
            "severity",
            "channel",
            "is_default",
            "active",
            "description",
            "targets",
            "updated_at",
        ]
        read_only_fields = fields


class TargetIn(StrictInput, serializers.Serializer):
    kind = serializers.CharField(max_length=30)
    minutes = serializers.IntegerField(min_value=1, max_value=525600)


class PolicyIn(StrictInput, serializers.Serializer):
    active = serializers.BooleanField(required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    targets = TargetIn(many=True, required=False, help_text="New minutes for targets the policy has.")


class CalendarOut(serializers.ModelSerializer):
    teams = serializers.SerializerMethodField()

    class Meta:
        model = BusinessCalendar
        fields = [
            "id",
            "name",
            "tz",
            "always_open",
            "hours",
            "holiday_country",
            "holiday_subdiv",
            "closed_days",
            "teams",
            "updated_at",
        ]
        read_only_fields = fields

    def get_teams(self, calendar: BusinessCalendar) -> list[int]:
        return [link.team_id for link in calendar.teams.all()]


class CalendarIn(StrictInput, serializers.ModelSerializer):
    class Meta:
        model = BusinessCalendar
        fields = ["tz", "always_open", "hours", "holiday_country", "holiday_subdiv", "closed_days"]


class CaseClockViewSet(CaseScopedViewSet):
    """A case's SLA clocks (routed under the case: `cases/<reference>/clocks/`)."""

    @extend_schema(
        summary="The case's SLA clocks: running ones by due time, then the finished ones",
        responses={200: ClockOut(many=True), **CASE_ERRORS},
    )
    @action(detail=True, methods=["get"], pagination_class=WholeList, filter_backends=[])
    def clocks(self, request, reference: str):
        page = self.paginate_queryset(selectors.case_clocks(self._case()))
        return self.get_paginated_response(ClockOut(page, many=True).data)


def _filter_breached(queryset, name, value):
    if value is None:
        return queryset
    breached = Exists(Clock.objects.filter(case=OuterRef("pk"), breached_at__isnull=False))
    return queryset.filter(breached if value else ~breached)


def _filter_at_risk(queryset, name, value):
    if value is None:
        return queryset
    now = timezone.now()
    window = datetime.timedelta(minutes=getattr(settings, "SLA_AT_RISK_MINUTES", 60))
    risky = Exists(
        Clock.objects.filter(
            case=OuterRef("pk"),
            stopped_at__isnull=True,
            breached_at__isnull=True,
            due_at__gte=now,
            due_at__lt=now + window,
        )
    )
    return queryset.filter(risky if value else ~risky)


# The case list's SLA filters: EXISTS probes on the indexed clock columns, no joins or counts.
CASE_FILTERS = {
    "breached": django_filters.BooleanFilter(method=_filter_breached, help_text="Has a breached clock."),
    "at_risk": django_filters.BooleanFilter(
        method=_filter_at_risk, help_text="A running clock falls due within the SLA at-risk window."
    ),
}


@extend_schema_view(
    list=extend_schema(
        summary="SLA policies and their targets", responses={200: PolicyOut(many=True), **LIST_ERRORS}
    ),
    retrieve=extend_schema(summary="Read an SLA policy", responses={200: PolicyOut, **CASE_ERRORS}),
    partial_update=extend_schema(
        summary="Change a policy (managers); open clocks under it are re-targeted",
        request=PolicyIn,
        responses={200: PolicyOut, **WRITE_ERRORS},
    ),
)
class PolicyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Policy.objects.prefetch_related("targets")
    serializer_class = PolicyOut
    pagination_class = cursor_by("id")
    http_method_names = ["get", "patch", "head", "options"]
    lookup_value_regex = "[0-9]{1,18}"

    def partial_update(self, request, pk: str):
        policy = self.get_object()
        services.require_manager(request.user)
        data = PolicyIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        with transaction.atomic():
            for given in d.pop("targets", []):
                updated = Target.objects.filter(policy=policy, kind=given["kind"]).update(
                    minutes=given["minutes"]
                )
                if not updated:
                    raise ValidationError({"targets": f"The policy has no {given['kind']!r} target."})
            for name, value in d.items():
                setattr(policy, name, value)
            services.policy_save(policy=policy, actor=request.user)
        return Response(PolicyOut(self.get_queryset().get(pk=policy.pk)).data)


@extend_schema_view(
    list=extend_schema(
        summary="Business calendars and the teams counting in them",
        responses={200: CalendarOut(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="Read a business calendar", responses={200: CalendarOut, **CASE_ERRORS}),
    partial_update=extend_schema(
        summary="Change a calendar's hours (managers); open clocks move to the new hours",
        request=CalendarIn,
        responses={200: CalendarOut, **WRITE_ERRORS},
    ),
)
class CalendarViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = BusinessCalendar.objects.prefetch_related("teams")
    serializer_class = CalendarOut
    pagination_class = cursor_by("id")
    http_method_names = ["get", "patch", "head", "options"]
    lookup_value_regex = "[0-9]{1,18}"

    def partial_update(self, request, pk: str):
        calendar = self.get_object()
        services.require_manager(request.user)
        data = CalendarIn(calendar, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        for name, value in data.validated_data.items():
            setattr(calendar, name, value)
        try:
            services.calendar_save(calendar=calendar, actor=request.user)
        except (ValueError, TypeError, AttributeError) as exc:
            # Impossible hours or time zone: the calendar cannot count time, so nothing is saved.
            raise ValidationError({"hours": f"These hours cannot be used: {exc}"}) from None
        return Response(CalendarOut(self.get_queryset().get(pk=calendar.pk)).data)


ENDPOINTS = [
    ("cases", CaseClockViewSet, "case"),
    ("sla/policies", PolicyViewSet, "sla-policy"),
    ("sla/calendars", CalendarViewSet, "sla-calendar"),
]
