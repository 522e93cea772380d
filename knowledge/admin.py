from django.contrib import admin

from .models import Article, ArticleUse, ArticleVersion, SuggestionShown, TriageModel


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "valid_from", "valid_until", "version"]
    search_fields = ["title"]
    readonly_fields = ["version", "created_at", "updated_at"]

    def has_add_permission(self, request):
        return False  # written in the app, where the version history is kept

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(ArticleVersion)
admin.site.register(ArticleUse)


@admin.register(TriageModel)
class TriageModelAdmin(admin.ModelAdmin):
    list_display = ["id", "trained_at", "triaged_cases", "causes", "seconds"]
    exclude = ["blob"]


admin.site.register(SuggestionShown)
