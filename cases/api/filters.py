import datetime
import functools

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import BasePermission

from accounts.models import Team, User

from ..models import Case, Channel, Customer, Severity, Status, TriageStage
from ..models.case import JourneyStage
from ..models.triage import Origin, RootCause, TriState, WhyAnswer


def _why_question(name: str) -> django_filters.MultipleChoiceFilter:
    """A filter on one of WHY's yes/no/don't-know answers, described by its question."""
    question = WhyAnswer._meta.get_field(name).verbose_name
    return django_filters.MultipleChoiceFilter(
        field_name=f"why__{name}", choices=TriState.choices, help_text=f"WHY: {question}"
    )


class InstantField(django_filters.fields.IsoDateTimeField):
    # Python accepts UTC offsets up to ±24h, PostgreSQL only up to ±15:59; real ones stop at ±14h.
    def to_python(self, value):
        instant = super().to_python(value)
        offset = instant.utcoffset() if instant else None
        if offset is not None and abs(offset) > datetime.timedelta(hours=14):
            raise forms.ValidationError("Use a real UTC offset (at most ±14:00).", code="invalid")
        return instant


class InstantFilter(django_filters.IsoDateTimeFilter):
    field_class = InstantField


class IdsField(django_filters.fields.ModelMultipleChoiceField):
    # An id beyond a 64-bit integer is no row of ours; SQLite would raise on it instead of answering.
    def _check_values(self, value):
        for pk in value:
            try:
                number = int(str(pk))
            except (TypeError, ValueError):
                continue  # the base class names it as an invalid choice
            if not -(2**63) <= number < 2**63:
                raise forms.ValidationError(f"{pk} is not one of the choices.", code="invalid_choice")
        return super()._check_values(value)


class IdsFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = IdsField


class CaseFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, help_text="Repeat for several.")
    triage_stage = django_filters.MultipleChoiceFilter(choices=TriageStage.choices)
    severity = django_filters.MultipleChoiceFilter(choices=Severity.choices)
    channel = django_filters.MultipleChoiceFilter(choices=Channel.choices)
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all())
    owner = django_filters.ModelChoiceFilter(queryset=User.objects.all())
    customer = django_filters.ModelChoiceFilter(queryset=Customer.objects.all())
    source = django_filters.CharFilter()
    external_id = django_filters.CharFilter()
    created_after = InstantFilter(field_name="opened_at", lookup_expr="gte")
    created_before = InstantFilter(field_name="opened_at", lookup_expr="lt")
    updated_after = InstantFilter(field_name="updated_at", lookup_expr="gte")
    updated_before = InstantFilter(field_name="updated_at", lookup_expr="lt")
    # The triage answers are data: filter by them (an unknown name is refused by
    # KnownQueryParameters, a bad value by the filter's own choices).
    journey_stage = django_filters.MultipleChoiceFilter(choices=JourneyStage.choices)
    root_cause = IdsFilter(
        field_name="why__root_cause",
        queryset=RootCause.objects.all(),
        help_text="WHY's root cause (its id). Repeat for several.",
    )
    root_cause_category = IdsFilter(
        field_name="why__root_cause__parent",
        queryset=RootCause.objects.filter(parent__isnull=True),
        help_text="The root cause's category (its id).",
    )
    origin = django_filters.MultipleChoiceFilter(
        field_name="why__origin", choices=Origin.choices, help_text="WHY: ours or a vendor's."
    )
    what_journey_stage = django_filters.MultipleChoiceFilter(
        field_name="what__journey_stage",
        choices=JourneyStage.choices,
        help_text="WHAT: where in the journey the customer became dissatisfied.",
    )
    part_affected = django_filters.CharFilter(
        field_name="what__part_affected",
        lookup_expr="iexact",
        help_text="WHAT: which part (exact, any case).",
    )
    expectations_set = _why_question("expectations_set")
    checked_in = _why_question("checked_in")
    responded_at_once = _why_question("responded_at_once")
    verified_before_delivery = _why_question("verified_before_delivery")
    met_expectations_after = _why_question("met_expectations_after")
    over_promised = _why_question("over_promised")
    below_market = _why_question("below_market")

    class Meta:
        model = Case
        fields: list[str] = []


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when the query names none of the filters: building the
    FilterSet (its ~30 filters deep-copied, a form made and validated) was a quarter of an
    unfiltered page's time, to filter nothing."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not request.query_params.keys() & filterset_class.base_filters.keys():
            return queryset
        return super().filter_queryset(request, queryset, view)


class StableOrdering(OrderingFilter):
    """One ordering field plus the id as tie-breaker, so cursor pages never skip or repeat a case."""

    def get_ordering(self, request, queryset, view):
        if getattr(view, "action", None) != "list":
            return None
        ordering = super().get_ordering(request, queryset, view)
        if not ordering:
            return ordering
        first = ordering[0]
        return (first, "-id" if first.startswith("-") else "id")


_added_filters: dict[str, django_filters.Filter] = {}


def case_filters_add(**filters: django_filters.Filter) -> None:
    """A concern adds filters to the case list (the SLA: breached, at_risk) without the core
    knowing it; the API's assembly (recovery.api) calls this with what each app declares."""
    clash = sorted(set(filters) & set(CaseFilter.base_filters))
    if clash:
        raise ValueError(f"The case list already has a filter named {clash[0]!r}.")
    _added_filters.update(filters)
    case_filterset.cache_clear()


@functools.cache
def case_filterset() -> type[CaseFilter]:
    """The case list's filters: the core's and the concerns'."""
    return type("CaseFilter", (CaseFilter,), dict(_added_filters))


class KnownQueryParameters(BasePermission):
    """Every API view refuses a query parameter it does not know, naming it.

    Otherwise `?stauts=new` (or a filter that does not exist) is ignored and the list silently
    answers with everything. Runs where DRF checks permissions, so 401 still comes first.
    """

    def has_permission(self, request, view):
        unknown = sorted(set(request.query_params) - known_query_parameters(view))
        if unknown:
            raise ValidationError(
                {name: [f"Unknown query parameter {name!r}: see the API description."] for name in unknown}
            )
        return True


def known_query_parameters(view) -> set[str]:
    known = {"format"}
    paginator = getattr(view, "paginator", None)
    if paginator is not None:
        known |= {
            name
            for name in (
                getattr(paginator, "cursor_query_param", None),
                getattr(paginator, "page_size_query_param", None),
            )
            if name
        }
    # Retrieving one object ignores the list's filters (a case's own URL finds it whatever the query).
    if getattr(view, "action", None) in ("retrieve", "partial_update", "update", "destroy"):
        return known
    for backend in getattr(view, "filter_backends", []):
        if issubclass(backend, OrderingFilter):
            known.add(backend.ordering_param)
        elif issubclass(backend, DjangoFilterBackend):
            filterset = getattr(view, "filterset_class", None)
            if filterset is not None:
                known |= set(filterset.base_filters)
    return known
