from django.urls import path

from .views import case_page, customers, desk, lists

app_name = "cases"

urlpatterns = [
    path("", lists.my_cases, name="my_cases"),
    path("queue/", lists.queue, name="queue"),
    path("search/", lists.search, name="search"),
    path("queue/bulk/", desk.bulk, name="bulk"),
    path("queue/views/", desk.saved_view_save, name="saved_view_save"),
    path("queue/views/<int:pk>/delete/", desk.saved_view_delete, name="saved_view_delete"),
    path("new/", case_page.case_new, name="new"),
    path("customers/lookup/", lists.customer_lookup, name="customer_lookup"),
    path("customers/erasures/", customers.customer_erasures_view, name="customer_erasures"),
    path("customers/<int:pk>/export.json", customers.customer_export_view, name="customer_export"),
    path("customers/<int:pk>/erase/", customers.customer_erase_view, name="customer_erase"),
    path("<str:reference>/", case_page.case_detail, name="detail"),
    path("<str:reference>/transition/<str:action>/", case_page.case_transition, name="transition"),
    path("<str:reference>/triage/<str:stage>/", case_page.case_triage, name="triage"),
    path("<str:reference>/actions/", case_page.corrective_action_add, name="action_add"),
    path(
        "<str:reference>/actions/<int:action_id>/", case_page.corrective_action_status, name="action_status"
    ),
    path("<str:reference>/assign/", case_page.case_assign, name="assign"),
    path("<str:reference>/note/", case_page.case_note, name="note"),
    path("<str:reference>/presence/", desk.presence, name="presence"),
]
