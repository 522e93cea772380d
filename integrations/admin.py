"""Admin: tokens are revoked, never edited into another key; webhooks show their delivery log."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models

from . import egress
from .models import ApiToken, WebhookDelivery, WebhookSubscription
from .tokens import api_token_revoke, api_token_sync_teams
from .webhooks import deliveries_release, webhook_redeliver


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "can_write", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["can_write", "revoked_at"]
    filter_horizontal = ["teams"]
    fields = ["name", "prefix", "user", "teams", "can_write", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["name", "prefix", "user", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # keys are shown once: create them with `manage.py create_api_token`

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        api_token_sync_teams(token=form.instance)

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset:
            api_token_revoke(token=token)
        messages.success(request, f"Revoked {queryset.count()} token(s).")


class DeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ["-created_at", "-id"]
    fields = ["event_type", "event", "attempts", "last_status", "last_error", "delivered_at", "failed_at"]
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-created_at", "-id")


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "active", "failure_count", "disabled_at", "created_at"]
    list_filter = ["active"]
    filter_horizontal = ["teams"]
    readonly_fields = [
        "failure_count",
        "failing_since",
        "disabled_at",
        "disabled_reason",
        "created_by",
        "created_at",
    ]
    inlines = [DeliveryInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class Checked(form):
            def clean_url(self):
                url = self.cleaned_data["url"]
                try:
                    egress.url_check(url)
                except egress.Refused as exc:
                    raise ValidationError(str(exc)) from None
                return url

        return Checked

    def save_model(self, request, obj, form, change):
        resumed = change and "active" in form.changed_data and obj.active
        if resumed:
            obj.failure_count, obj.failing_since, obj.disabled_at, obj.disabled_reason = 0, None, None, ""
        super().save_model(request, obj, form, change)
        if resumed:
            deliveries_release(subscription=obj)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "subscription",
        "event_type",
        "attempts",
        "last_status",
        "delivered_at",
        "failed_at",
    ]
    list_filter = ["event_type", "subscription"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ["redeliver"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Deliver the selected events again")
    def redeliver(self, request, queryset):
        done = 0
        for delivery in queryset.select_related("subscription"):
            if delivery.subscription.active:
                webhook_redeliver(delivery=delivery)
                done += 1
        messages.info(request, f"{done} delivery(ies) queued again; switched-off subscriptions skipped.")
