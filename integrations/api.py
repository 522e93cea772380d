"""Webhook subscriptions and their delivery log over HTTP."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Team
from cases.api.idempotency import idempotent
from cases.api.pagination import cursor_by
from cases.api.schema import CASE_ERRORS, IDEMPOTENCY_KEY, LIST_ERRORS, WRITE_ERRORS, errors_for
from cases.api.serializers import StrictInput

from . import subscriptions, webhooks
from .models import EventType, WebhookDelivery, WebhookSubscription


class TokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI description names the token header (found by drf-spectacular on import)."""

    target_class = "integrations.auth.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`: a per-integration key, scoped to teams and to read or write.",
        }


class SubscriptionOut(serializers.ModelSerializer):
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=EventType.choices))
    teams = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "name",
            "url",
            "event_types",
            "teams",
            "active",
            "failure_count",
            "disabled_at",
            "disabled_reason",
            "created_at",
        ]
        read_only_fields = fields


class SubscriptionCreatedOut(SubscriptionOut):
    """Answers a create: the only time the secret is shown."""

    class Meta(SubscriptionOut.Meta):
        fields = [*SubscriptionOut.Meta.fields, "secret"]
        read_only_fields = fields


class SubscriptionIn(StrictInput, serializers.Serializer):
    name = serializers.CharField(max_length=100)
    url = serializers.URLField(max_length=500)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices),
        required=False,
        default=list,
        help_text="Leave empty for every event.",
    )
    teams = serializers.PrimaryKeyRelatedField(many=True, queryset=Team.objects.all(), required=False)
    secret = serializers.CharField(
        min_length=16, max_length=128, required=False, help_text="Generated when left out."
    )


class SubscriptionUpdateIn(SubscriptionIn):
    name = serializers.CharField(max_length=100, required=False)
    url = serializers.URLField(max_length=500, required=False)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices), required=False
    )
    active = serializers.BooleanField(required=False, help_text="Switch on again after auto-disable.")


class DeliveryOut(serializers.ModelSerializer):
    event_id = serializers.CharField(source="public_event_id", read_only=True)
    event_type = serializers.ChoiceField(choices=EventType.choices, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "event_type",
            "attempts",
            "next_attempt_at",
            "delivered_at",
            "failed_at",
            "last_status",
            "last_error",
            "created_at",
            "payload",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary="Webhook subscriptions", responses={200: SubscriptionOut(many=True), **LIST_ERRORS}
    ),
    retrieve=extend_schema(summary="Read a subscription", responses={200: SubscriptionOut, **CASE_ERRORS}),
    destroy=extend_schema(
        summary="Delete a subscription", responses={204: None, **errors_for(401, 403, 404)}
    ),
)
class WebhookSubscriptionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    serializer_class = SubscriptionOut
    pagination_class = cursor_by("id")
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookSubscription.objects.none()
        return subscriptions.subscriptions_visible(self.request.user)

    @extend_schema(
        summary="Subscribe a URL to events",
        request=SubscriptionIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: SubscriptionCreatedOut, **errors_for(400, 401, 403, 422, 429)},
    )
    def create(self, request):
        return idempotent(request, lambda: self._create(request))

    def _create(self, request) -> Response:
        data = SubscriptionIn(data=request.data)
        data.is_valid(raise_exception=True)
        sub = subscriptions.webhook_subscription_create(actor=request.user, **data.validated_data)
        return Response(SubscriptionCreatedOut(sub).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a subscription (or switch it back on)",
        request=SubscriptionUpdateIn,
        responses={200: SubscriptionOut, **WRITE_ERRORS},
    )
    def partial_update(self, request, pk: str):
        sub = self.get_object()
        data = SubscriptionUpdateIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        sub = subscriptions.webhook_subscription_update(
            actor=request.user, subscription=sub, changes=dict(data.validated_data)
        )
        return Response(SubscriptionOut(sub).data)

    @extend_schema(
        summary="The delivery log, newest first",
        responses={200: DeliveryOut(many=True), **CASE_ERRORS},
        parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
    )
    @action(detail=True, methods=["get"], pagination_class=cursor_by("-created_at", "-id"))
    def deliveries(self, request, pk: str):
        log = self.get_object().deliveries.all()
        page = self.paginate_queryset(log)
        return self.get_paginated_response(DeliveryOut(page, many=True).data)

    @extend_schema(
        summary="Send a delivery again (same event id, fresh retries)",
        request=None,
        parameters=[OpenApiParameter("delivery_id", int, OpenApiParameter.PATH)],
        responses={202: DeliveryOut, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path=r"deliveries/(?P<delivery_id>[0-9]{1,18})/redeliver")
    def redeliver(self, request, pk: str, delivery_id: str):
        delivery = self.get_object().deliveries.select_related("subscription").get(pk=int(delivery_id))
        delivery = webhooks.webhook_redeliver(delivery=delivery)
        return Response(DeliveryOut(delivery).data, status=status.HTTP_202_ACCEPTED)


ENDPOINTS = [("webhooks", WebhookSubscriptionViewSet, "webhook")]
