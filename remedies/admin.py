"""Admin: the catalogue and caps are managed here; remedies and decisions only go through services.

Nobody can add a remedy here: that would skip the caps. Approval requests are decided with
admin actions that call the same service as the case page.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from cases.admin import ReadOnlyAdmin

from . import services
from .models import ApprovalRequest, AuthorityCap, Budget, Remedy, RemedyKind


@admin.register(RemedyKind)
class RemedyKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "default_amount", "costs_money", "active", "position"]
    list_editable = ["active", "position"]
    list_filter = ["active", "costs_money"]
    search_fields = ["name", "code"]

    def has_delete_permission(self, request, obj=None):
        # Given remedies point at their kind: retire a kind with `active` instead.
        return False


@admin.register(AuthorityCap)
class AuthorityCapAdmin(admin.ModelAdmin):
    list_display = ["__str__", "currency", *AuthorityCap.LIMITS]
    list_filter = ["role", "kind"]
    autocomplete_fields = ["user"]


@admin.register(Remedy)
class RemedyAdmin(ReadOnlyAdmin):
    list_display = ["given_at", "case", "kind", "amount", "currency", "plus_one", "given_by", "approval"]
    list_filter = ["kind", "plus_one", "currency"]
    search_fields = ["case__reference", "note"]
    list_select_related = ["case", "kind", "given_by", "approval"]


@admin.register(Budget)
class BudgetAdmin(ReadOnlyAdmin):
    list_display = ["day", "user", "spent", "currency"]
    list_filter = ["currency"]
    list_select_related = ["user"]


def _decide(modeladmin, request, queryset, *, approve: bool) -> None:
    verb = "Approved" if approve else "Denied"
    done = 0
    for approval in queryset.filter(status="pending"):
        try:
            services.approval_decide(
                approval=approval, actor=request.user, approve=approve, reason=f"{verb} in the admin."
            )
            done += 1
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            modeladmin.message_user(request, f"{approval}: {text}", messages.ERROR)
    if done:
        modeladmin.message_user(request, f"{verb} {done} request(s).", messages.SUCCESS)


@admin.action(description="Approve the selected requests (gives the remedies)")
def approve_requests(modeladmin, request, queryset):
    _decide(modeladmin, request, queryset, approve=True)


@admin.action(description="Deny the selected requests")
def deny_requests(modeladmin, request, queryset):
    _decide(modeladmin, request, queryset, approve=False)


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ReadOnlyAdmin):
    list_display = ["requested_at", "case", "kind", "amount", "currency", "requested_by", "status", "due_at"]
    list_filter = ["status", "kind"]
    search_fields = ["case__reference", "reason"]
    list_select_related = ["case", "kind", "requested_by"]
    actions = [approve_requests, deny_requests]
