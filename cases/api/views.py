"""Cases over HTTP. Thin: parse input, call one service, answer with the case."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Team

from .. import selectors, services
from ..models import Case, CorrectiveAction
from ..permissions import visible_cases
from . import serializers as s
from .errors import DuplicateCase
from .filters import FilterBackend, StableOrdering, case_filterset
from .idempotency import idempotent
from .pagination import cursor_by
from .schema import CASE_ERRORS, ETAG_HEADER, IDEMPOTENCY_KEY, IF_MATCH, LIST_ERRORS, WRITE_ERRORS, errors_for
from .triage import TriageActions

TimelineCursor = cursor_by("created_at", "id")
ActionCursor = cursor_by("created_at", "id")


def _etag(case: Case) -> str:
    return f'"{case.version}"'


def _expected_version(request) -> set[int] | None:
    """The versions an If-Match accepts; the service refuses a stale one (412). No If-Match, or
    `*`, means the client accepts last-write-wins."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    tags = {tag.strip().removeprefix("W/").strip('"') for tag in header.split(",")}
    return {int(tag) for tag in tags if tag.isdigit()}


class CaseScopedViewSet(viewsets.GenericViewSet):
    """Endpoints under a case's URL (`cases/<reference>/...`). The concerns subclass it for their
    own (a case's remedies, its clocks) and register under the case's prefix and basename."""

    lookup_field = "reference"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return visible_cases(self.request.user)

    def _case(self) -> Case:
        """The case in the URL if the caller may see it; another team's case is a 404 like a missing one."""
        case = get_object_or_404(visible_cases(self.request.user), reference=self.kwargs["reference"])
        self.check_object_permissions(self.request, case)
        return case


@extend_schema_view(
    list=extend_schema(
        summary="List cases", responses={200: s.CaseOut(many=True), **LIST_ERRORS, **errors_for(403)}
    ),
    retrieve=extend_schema(
        summary="Read a case",
        parameters=[ETAG_HEADER],
        responses={200: s.CaseOut, **CASE_ERRORS},
    ),
)
class CaseViewSet(TriageActions, CaseScopedViewSet):
    """A case: read it, change its details, move it on either track; its timeline, notes, triage
    answers and corrective actions."""

    filter_backends = [FilterBackend, StableOrdering]
    ordering_fields = ["opened_at", "updated_at"]
    ordering = ("-opened_at", "-id")
    serializer_class = s.CaseOut
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    @property
    def filterset_class(self):
        # The core's filters plus those the concerns add (the SLA's breached and at_risk).
        return case_filterset()

    def get_queryset(self):
        if self.action in ("list", "retrieve"):
            # Team, product and owner come from the directory kept per process (cases.directory).
            return visible_cases(self.request.user).select_related("customer")
        return visible_cases(self.request.user).select_related(*selectors.LIST_RELATED)

    def filter_queryset(self, queryset):
        # Filters and ordering shape the list only; a case's own URL finds it whatever the query.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def _answer(self, case: Case, *, code: int = status.HTTP_200_OK, headers=None) -> Response:
        body = s.CaseOut(case, context=self.get_serializer_context()).data
        return Response(body, status=code, headers={"ETag": _etag(case), **(headers or {})})

    def _answer_fresh(self, case: Case) -> Response:
        """After a change: the case read again with what the answer shows, as the service left it."""
        return self._answer(self._with_external_ids(self.get_queryset().get(pk=case.pk)))

    @staticmethod
    def _with_external_ids(case: Case) -> Case:
        s.with_external_ids([case])
        return case

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        s.with_external_ids(page)
        return self.get_paginated_response(
            s.CaseOut(page, many=True, context=self.get_serializer_context()).data
        )

    def retrieve(self, request, reference: str):
        return self._answer(self._with_external_ids(self.get_object()))

    @extend_schema(
        summary="Open a case, with its customer found or created",
        request=s.CaseIn,
        parameters=[IDEMPOTENCY_KEY, ETAG_HEADER],
        responses={
            201: s.CaseOut,
            **errors_for(400, 401, 403, 409, 422, 429),
        },
    )
    def create(self, request):
        return idempotent(request, lambda: self._create(request))

    def _create(self, request) -> Response:
        data = s.CaseIn(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        d = data.validated_data
        team = d.get("team")
        if team is None:
            team = self._only_team(request)
        elif not request.user.works_in(team):
            # Naming another team is no typo to fix: the caller may not work there (403, not 400).
            raise PermissionDenied("You can only open cases for your own teams.")
        # A duplicate (source, external_id) is refused by its unique index; `_open` answers 409.
        case = self._open(request, d, team)
        location = request.build_absolute_uri(
            reverse("api:case-detail", kwargs={"reference": case.reference})
        )
        # The answer is what was just written: the customer, team, owner and product it was opened with.
        return self._answer(case, code=status.HTTP_201_CREATED, headers={"Location": location})

    def _open(self, request, d: dict, team: Team) -> Case:
        try:
            return self._open_once(request, d, team)
        except IntegrityError:
            # Lost a race on a unique index. A duplicate (source, external_id) is a 409; a customer
            # external id created by a concurrent request is found by the second (last) try.
            if d["external_id"]:
                self._refuse_duplicate(d["source"], d["external_id"])
        return self._open_once(request, d, team)

    def _open_once(self, request, d: dict, team: Team) -> Case:
        with transaction.atomic():
            customer = d["customer"].get("id") or self._customer(d["customer"])
            return services.case_open(
                actor=request.user,
                customer=customer,
                channel=d["channel"],
                summary=d["summary"],
                description=d["description"],
                product=d["product"],
                journey_stage=d["journey_stage"],
                severity=d["severity"],
                team=team,
                owner=d.get("owner"),
                source_reference=d["source_reference"],
                source=d["source"],
                external_id=d["external_id"],
            )

    def _only_team(self, request) -> Team:
        teams = request.user.my_teams
        if len(teams) != 1:
            raise ValidationError({"team": "Say which team the case belongs to."})
        return teams[0]

    def _refuse_duplicate(self, source: str, external_id: str) -> None:
        existing = Case.objects.filter(source=source, external_id=external_id).only("reference").first()
        if existing is not None:
            url = reverse("api:case-detail", kwargs={"reference": existing.reference})
            raise DuplicateCase(reference=existing.reference, url=self.request.build_absolute_uri(url))

    @staticmethod
    def _customer(given: dict):
        try:
            return services.customer_find_or_create(**given)
        except ValidationError as exc:
            raise ValidationError({"customer.name": exc.messages}) from None

    @extend_schema(
        summary="Change a case's details",
        request=s.CaseUpdateIn,
        parameters=[IF_MATCH, ETAG_HEADER],
        responses={200: s.CaseOut, **WRITE_ERRORS},
    )
    def partial_update(self, request, reference: str):
        case = self._case()
        data = s.CaseUpdateIn(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_update(
            case=case,
            actor=request.user,
            changes=dict(data.validated_data),
            expected_version=_expected_version(request),
        )
        return self._answer_fresh(case)

    @extend_schema(
        summary="Move the case on either track (the same guards and messages as the browser)",
        request=s.TransitionIn,
        parameters=[IF_MATCH, IDEMPOTENCY_KEY, ETAG_HEADER],
        responses={200: s.CaseOut, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, reference: str):
        return idempotent(request, lambda: self._transition(request))

    def _transition(self, request) -> Response:
        case = self._case()
        data = s.TransitionIn(data=request.data)
        data.is_valid(raise_exception=True)
        move = dict(data.validated_data)
        case = services.case_transition(
            case=case,
            action=move.pop("action"),
            actor=request.user,
            data=move,
            expected_version=_expected_version(request),
        )
        return self._answer_fresh(case)

    @extend_schema(
        summary="Give the case to an owner (a hand-off needs a reason)",
        request=s.AssignIn,
        parameters=[IF_MATCH, IDEMPOTENCY_KEY, ETAG_HEADER],
        responses={200: s.CaseOut, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, reference: str):
        return idempotent(request, lambda: self._assign(request))

    def _assign(self, request) -> Response:
        case = self._case()
        data = s.AssignIn(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_assign(
            case=case, actor=request.user, expected_version=_expected_version(request), **data.validated_data
        )
        return self._answer_fresh(case)

    @extend_schema(
        summary="The case's timeline, oldest first",
        responses={200: s.EventOut(many=True), **CASE_ERRORS},
        parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
    )
    @action(detail=True, methods=["get"], pagination_class=TimelineCursor, filter_backends=[])
    def timeline(self, request, reference: str):
        events = self._case().events.select_related("actor")
        page = self.paginate_queryset(events)
        return self.get_paginated_response(s.EventOut(page, many=True).data)

    @extend_schema(
        methods=["GET"],
        summary="Internal notes on the case",
        responses={200: s.NoteOut(many=True), **CASE_ERRORS},
        parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
    )
    @extend_schema(
        methods=["POST"],
        summary="Add an internal note",
        request=s.NoteIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.NoteOut, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=TimelineCursor, filter_backends=[])
    def notes(self, request, reference: str):
        case = self._case()
        if request.method == "GET":
            page = self.paginate_queryset(case.events.filter(kind="case.note.added").select_related("actor"))
            return self.get_paginated_response(s.NoteOut(page, many=True).data)
        return idempotent(request, lambda: self._add_note(request, case))

    def _add_note(self, request, case: Case) -> Response:
        data = s.NoteIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.case_add_note(case=case, actor=request.user, text=data.validated_data["text"])
        note = case.events.filter(kind="case.note.added").select_related("actor").order_by("-id").first()
        return Response(s.NoteOut(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="Corrective actions: what we change so it does not happen again",
        responses={200: s.CorrectiveActionOut(many=True), **CASE_ERRORS},
        parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
    )
    @extend_schema(
        methods=["POST"],
        summary="Add a corrective action (WHAT DIFFERENT; leads)",
        request=s.CorrectiveActionIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.CorrectiveActionOut, **WRITE_ERRORS},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="corrective-actions",
        pagination_class=ActionCursor,
        filter_backends=[],
    )
    def corrective_actions(self, request, reference: str):
        case = self._case()
        if request.method == "GET":
            page = self.paginate_queryset(case.corrective_actions.select_related("owner"))
            return self.get_paginated_response(s.CorrectiveActionOut(page, many=True).data)
        return idempotent(request, lambda: self._add_corrective_action(request, case))

    def _add_corrective_action(self, request, case: Case) -> Response:
        data = s.CorrectiveActionIn(data=request.data)
        data.is_valid(raise_exception=True)
        added = services.corrective_action_add(case=case, actor=request.user, **data.validated_data)
        return Response(s.CorrectiveActionOut(added).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Mark a corrective action done or cancelled (leads)",
        request=s.CorrectiveActionStatusIn,
        parameters=[OpenApiParameter("action_id", int, OpenApiParameter.PATH)],
        responses={200: s.CorrectiveActionOut, **WRITE_ERRORS},
    )
    @action(
        detail=True,
        methods=["patch"],
        url_path=r"corrective-actions/(?P<action_id>[0-9]{1,18})",
        pagination_class=None,
    )
    def corrective_action(self, request, reference: str, action_id: str):
        case = self._case()
        found = CorrectiveAction.objects.filter(case=case, pk=int(action_id)).first()
        if found is None:
            raise CorrectiveAction.DoesNotExist
        data = s.CorrectiveActionStatusIn(data=request.data)
        data.is_valid(raise_exception=True)
        changed = services.corrective_action_set_status(
            action=found, actor=request.user, status=data.validated_data["status"]
        )
        return Response(s.CorrectiveActionOut(changed).data)
