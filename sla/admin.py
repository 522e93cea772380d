"""Admin: reference data is editable; clocks, firings and the outbox are read-only records.

Managers edit policies and calendars in the app (/sla/policies/), where open clocks follow.
"""

from django.contrib import admin

from cases.admin import ReadOnlyAdmin as ReadOnly

from .models import (
    BusinessCalendar,
    Clock,
    EscalationStep,
    Firing,
    Notification,
    Policy,
    Target,
    TeamCalendar,
)


class StepInline(admin.TabularInline):
    model = EscalationStep
    extra = 0


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("policy", "kind", "minutes", "business_hours")
    list_filter = ("policy", "kind")
    inlines = [StepInline]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    show_change_link = True


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "severity", "channel", "is_default", "active")
    inlines = [TargetInline]


admin.site.register(BusinessCalendar)
admin.site.register(TeamCalendar)


@admin.register(Clock)
class ClockAdmin(ReadOnly):
    list_display = (
        "case",
        "kind",
        "state",
        "started_at",
        "due_at",
        "next_check_at",
        "breached_at",
        "stopped_at",
    )
    list_filter = ("kind", "state")
    search_fields = ("case__reference",)


@admin.register(Firing)
class FiringAdmin(ReadOnly):
    list_display = ("clock", "level", "action", "due_at", "fired_at", "outcome")


@admin.register(Notification)
class NotificationAdmin(ReadOnly):
    list_display = ("channel", "recipient", "address", "subject", "attempts", "delivered_at", "failed_at")
    list_filter = ("channel",)
