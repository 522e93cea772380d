"""Authority caps in the browser: the managers' list, a form per cap, and its history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from .cap_forms import CapForm
from .caps import cap_delete, cap_save, require_cap_keeper
from .models import AuthorityCap


def _caps():
    return AuthorityCap.objects.select_related("user", "kind").order_by(
        "user__username", "role", "kind__name"
    )


def _save(request, form: CapForm, template: str, context: dict):
    if form.is_valid():
        try:
            cap = cap_save(cap=form.instance, actor=request.user)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Cap saved: {cap}.")
            return redirect("remedies:cap_edit", pk=cap.pk)
    return render(request, template, {**context, "form": form, "nav": "caps"}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def caps(request):
    require_cap_keeper(request.user)
    context = {"caps": _caps()}
    if request.method == "POST":
        return _save(request, CapForm(request.POST), "remedies/caps.html", context)
    return render(request, "remedies/caps.html", {**context, "form": CapForm(), "nav": "caps"})


@login_required
@require_http_methods(["GET", "POST"])
def cap_edit(request, pk: int):
    require_cap_keeper(request.user)
    cap = get_object_or_404(AuthorityCap.objects.select_related("user", "kind"), pk=pk)
    context = {"cap": cap}
    if request.method == "POST":
        return _save(request, CapForm(request.POST, instance=cap), "remedies/cap_edit.html", context)
    return render(
        request, "remedies/cap_edit.html", {**context, "form": CapForm(instance=cap), "nav": "caps"}
    )


@login_required
@require_POST
def cap_remove(request, pk: int):
    require_cap_keeper(request.user)
    cap = get_object_or_404(AuthorityCap, pk=pk)
    name = str(cap)
    cap_delete(cap=cap, actor=request.user)
    messages.success(request, f"Cap removed: {name}. Its history stays.")
    return redirect("remedies:caps")
