"""Customers and the reference lists an integration needs to fill in a case."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.models import Team, User

from .. import services
from ..models import Customer, Product, RootCause
from . import serializers as s
from .idempotency import idempotent
from .pagination import cursor_by
from .schema import CASE_ERRORS, IDEMPOTENCY_KEY, LIST_ERRORS, errors_for


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", help_text="Name, e-mail or phone contains.")
    email = django_filters.CharFilter(lookup_expr="iexact")
    source = django_filters.CharFilter(field_name="external_ids__source")
    external_id = django_filters.CharFilter(field_name="external_ids__external_id")

    class Meta:
        model = Customer
        fields: list[str] = []

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(email__icontains=value) | Q(phone__icontains=value)
        )


@extend_schema_view(
    list=extend_schema(summary="List customers", responses={200: s.CustomerOut(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(summary="Read a customer", responses={200: s.CustomerOut, **CASE_ERRORS}),
)
class CustomerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.CustomerOut
    filterset_class = CustomerFilter
    pagination_class = cursor_by("id")

    def get_queryset(self):
        return s.visible_customers(self.request).prefetch_related("external_ids")

    @extend_schema(
        summary="Find or create a customer (matched by external id, then e-mail, then phone)",
        request=s.CustomerIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: s.CustomerOut, 201: s.CustomerOut, **errors_for(400, 401, 403, 422, 429)},
    )
    def create(self, request):
        return idempotent(request, lambda: self._create(request))

    def _create(self, request) -> Response:
        data = s.CustomerIn(data=request.data)
        data.is_valid(raise_exception=True)
        started = timezone.now()
        customer = services.customer_find_or_create(**data.validated_data)
        code = status.HTTP_201_CREATED if customer.created_at >= started else status.HTTP_200_OK
        customer = self.get_queryset().filter(pk=customer.pk).first()
        if customer is None:
            # Found, but only through another team's cases: the token learns nothing about them.
            raise PermissionDenied(
                "This customer is known only to another team: open the case with these details and "
                "it is linked to them."
            )
        return Response(s.CustomerOut(customer).data, status=code)


def _visible_teams(user):
    return Team.objects.all() if user.sees_all_teams else user.teams.all()


@extend_schema_view(
    list=extend_schema(
        summary="Teams the caller works for", responses={200: s.TeamOut(many=True), **LIST_ERRORS}
    ),
    retrieve=extend_schema(summary="Read a team", responses={200: s.TeamOut, **CASE_ERRORS}),
)
class TeamViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.TeamOut
    pagination_class = cursor_by("name", "id")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Team.objects.none()
        return _visible_teams(self.request.user)


class UserFilter(django_filters.FilterSet):
    team = django_filters.ModelChoiceFilter(field_name="teams", queryset=Team.objects.all())
    role = django_filters.ChoiceFilter(choices=User._meta.get_field("role").choices)

    class Meta:
        model = User
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(
        summary="People in the caller's teams", responses={200: s.UserOut(many=True), **LIST_ERRORS}
    ),
    retrieve=extend_schema(summary="Read a person", responses={200: s.UserOut, **CASE_ERRORS}),
)
class UserViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.UserOut
    filterset_class = UserFilter
    pagination_class = cursor_by("id")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return User.objects.none()
        users = User.objects.filter(is_active=True, api_token__isnull=True)  # people only
        if not self.request.user.sees_all_teams:
            users = users.filter(teams__in=self.request.user.teams.all()).distinct()
        return users


@extend_schema_view(
    list=extend_schema(
        summary="Products and services", responses={200: s.ProductOut(many=True), **LIST_ERRORS}
    ),
    retrieve=extend_schema(summary="Read a product", responses={200: s.ProductOut, **CASE_ERRORS}),
)
class ProductViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Product.objects.filter(active=True)
    serializer_class = s.ProductOut
    pagination_class = cursor_by("name", "id")


@extend_schema_view(
    list=extend_schema(
        summary="The root-cause taxonomy", responses={200: s.RootCauseOut(many=True), **LIST_ERRORS}
    ),
    retrieve=extend_schema(summary="Read a root cause", responses={200: s.RootCauseOut, **CASE_ERRORS}),
)
class RootCauseViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = RootCause.objects.filter(active=True).select_related("parent")
    serializer_class = s.RootCauseOut
    pagination_class = cursor_by("name", "id")
