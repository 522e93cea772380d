"""Admin: read and manage reference data; case state moves only through the services."""

from django.contrib import admin

from .models import (
    Case,
    CaseEvent,
    CorrectiveAction,
    Customer,
    CustomerExternalId,
    DifferentAnswer,
    Handoff,
    Product,
    RootCause,
    WhatAnswer,
    WhyAnswer,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ExternalIdInline(admin.TabularInline):
    model = CustomerExternalId
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "phone", "created_at"]
    search_fields = ["name", "email", "phone", "external_ids__external_id"]
    inlines = [ExternalIdInline]


class EventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    fields = ["created_at", "kind", "actor", "data"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Cases are opened and moved in the app; admin shows them and edits nothing of the workflow."""

    list_display = [
        "reference",
        "summary",
        "customer",
        "team",
        "owner",
        "status",
        "triage_stage",
        "severity",
        "channel",
        "opened_at",
    ]
    list_filter = ["status", "triage_stage", "severity", "channel", "team", "journey_stage", "product"]
    search_fields = ["reference", "summary", "customer__name", "customer__email", "source_reference"]
    date_hierarchy = "opened_at"
    list_select_related = ["customer", "team", "owner"]
    readonly_fields = [f.name for f in Case._meta.concrete_fields]
    inlines = [EventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "case", "kind", "actor"]
    list_filter = ["kind"]
    search_fields = ["case__reference", "kind"]
    list_select_related = ["case", "actor"]


@admin.register(Handoff)
class HandoffAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "case", "from_owner", "to_owner", "reason"]
    list_select_related = ["case", "from_owner", "to_owner"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "active"]
    list_filter = ["active"]
    search_fields = ["name"]


@admin.register(RootCause)
class RootCauseAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "active"]
    list_filter = ["active", "parent"]
    search_fields = ["name", "description"]


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(ReadOnlyAdmin):
    list_display = ["description", "case", "owner", "due_date", "status"]
    list_filter = ["status"]
    list_select_related = ["case", "owner"]


for answer_model in (WhatAnswer, WhyAnswer, DifferentAnswer):
    admin.site.register(answer_model, ReadOnlyAdmin)
