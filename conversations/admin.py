from django.contrib import admin

from .models import InboundSms, Mention, Monitor, PublicCase, SmsGateway, SmsOptOut


@admin.register(SmsGateway)
class SmsGatewayAdmin(admin.ModelAdmin):
    list_display = ("name", "scheme", "active")


@admin.register(SmsOptOut)
class SmsOptOutAdmin(admin.ModelAdmin):
    list_display = ("phone", "opted_out", "keyword", "changed_at")
    search_fields = ("phone",)


@admin.register(InboundSms)
class InboundSmsAdmin(admin.ModelAdmin):
    list_display = ("sid", "from_phone", "outcome", "case", "received_at")
    list_filter = ("outcome",)
    raw_id_fields = ("case",)


@admin.register(Monitor)
class MonitorAdmin(admin.ModelAdmin):
    list_display = ("name", "active", "created_at")
    exclude = ("token_hash", "secret")  # made by `manage.py monitor_create`, shown once


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = ("platform", "post_id", "author_handle", "rating", "case", "received_at")
    list_filter = ("platform",)
    raw_id_fields = ("case",)


@admin.register(PublicCase)
class PublicCaseAdmin(admin.ModelAdmin):
    list_display = ("case", "platform", "author_handle", "first_rating", "rating", "replied_at")
    raw_id_fields = ("case",)
