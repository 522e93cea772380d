from django.contrib import admin

from .models import CustomerMessage, MessageTemplate, TeamMessaging


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "subject", "body"]


@admin.register(TeamMessaging)
class TeamMessagingAdmin(admin.ModelAdmin):
    list_display = ["team", "auto_acknowledge"]


@admin.register(CustomerMessage)
class CustomerMessageAdmin(admin.ModelAdmin):
    list_display = ["case", "kind", "channel", "address", "created_at"]
    list_filter = ["kind", "channel"]
    search_fields = ["case__reference", "address", "subject"]
    readonly_fields = [f.name for f in CustomerMessage._meta.fields]

    def has_add_permission(self, request):
        return False  # messages are sent from the case page, through the outbox
