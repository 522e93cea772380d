from django.contrib import admin

from .models import Callback, CustomerPhoto, StatusLink


@admin.register(StatusLink)
class StatusLinkAdmin(admin.ModelAdmin):
    list_display = ["case", "created_at", "revoked_at", "revoked_by"]
    list_select_related = ["case"]
    raw_id_fields = ["case"]
    readonly_fields = ["case", "created_at", "revoked_by"]


@admin.register(Callback)
class CallbackAdmin(admin.ModelAdmin):
    list_display = ["case", "agent", "starts_at", "state", "confirmed_at", "moved_by_customer"]
    list_filter = ["state"]
    list_select_related = ["case", "agent"]
    # Booked, moved and logged through the services only: the clock goes with them.
    readonly_fields = [f.name for f in Callback._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(CustomerPhoto)
class CustomerPhotoAdmin(admin.ModelAdmin):
    list_display = ["case", "filename", "content_type", "size", "created_at"]
    readonly_fields = ["case", "link", "filename", "content_type", "size", "file", "created_at"]
