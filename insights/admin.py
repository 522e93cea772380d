"""Admin: read the learning loop's records; changes go through the services and the pages."""

from django.contrib import admin

from cases.admin import ReadOnlyAdmin

from .models import FollowUpOutcome, Improvement, SurveyInvitation, SurveyResponse


@admin.register(FollowUpOutcome)
class FollowUpOutcomeAdmin(ReadOnlyAdmin):
    list_display = ["case", "outcome", "retained", "recorded_by", "recorded_at"]
    list_filter = ["outcome", "retained"]
    list_select_related = ["case", "recorded_by"]


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(ReadOnlyAdmin):
    list_display = ["case", "channel", "created_at", "expires_at", "used_at"]
    exclude = ["token_hash"]
    list_select_related = ["case"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnlyAdmin):
    list_display = ["case", "score", "answered_at"]
    list_filter = ["score"]
    list_select_related = ["case"]


@admin.register(Improvement)
class ImprovementAdmin(ReadOnlyAdmin):
    list_display = ["title", "root_cause", "product", "owner", "due_date", "status", "completed_at"]
    list_filter = ["status"]
    list_select_related = ["root_cause", "product", "owner"]
