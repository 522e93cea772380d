"""Customer data requests: export and erasure, for managers and admins."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from ..models import Customer, CustomerErasure
from ..services.privacy import customer_erase, customer_export


def _managers_only(request) -> None:
    if not request.user.sees_all_teams:
        raise PermissionDenied("Only managers and admins handle customer data requests.")


@login_required
@require_GET
def customer_export_view(request, pk: int):
    _managers_only(request)
    customer = get_object_or_404(Customer, pk=pk)
    data = customer_export(customer=customer, actor=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, default=str), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def customer_erase_view(request, pk: int):
    _managers_only(request)
    customer = get_object_or_404(Customer, pk=pk)
    error = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "").strip()
        if not reason:
            error = "Say why the data is erased (e.g. the customer's request and its date)."
        elif request.POST.get("confirm_name", "").strip() != customer.name:
            error = "Type the customer's name exactly to confirm."
        else:
            customer_erase(customer=customer, actor=request.user, reason=reason)
            messages.success(request, "The customer's personal data was erased; their cases are kept.")
            return redirect("cases:customer_erasures")
    return render(request, "cases/customer_erase.html", {"customer": customer, "error": error})


@login_required
@require_GET
def customer_erasures_view(request):
    """The record of erasures: who, when, why and how much, never what."""
    _managers_only(request)
    erasures = CustomerErasure.objects.select_related("erased_by").order_by("-erased_at", "-id")[:200]
    return render(request, "cases/customer_erasures.html", {"erasures": erasures})
