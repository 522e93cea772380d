"""Webhook subscriptions in the browser, for team leads and managers. Each POST calls one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cases.permissions import require_lead

from . import subscriptions, webhooks
from .forms import SubscriptionForm


@login_required
@require_http_methods(["GET", "POST"])
def webhook_list(request):
    require_lead(request.user, "Webhook subscriptions")
    form = SubscriptionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sub = subscriptions.webhook_subscription_create(
                actor=request.user,
                name=data["name"],
                url=data["url"],
                event_types=data["event_types"],
                teams=list(data["teams"]),
                secret=data["secret"] or None,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            # Rendered, not redirected: the secret is shown this once and never stored in a cookie.
            secret = sub.secret
            sub = subscriptions.subscriptions_visible(request.user).get(pk=sub.pk)
            return _detail(request, sub, secret=secret, status=201)
    subs = subscriptions.subscriptions_visible(request.user)
    status = 400 if form.errors else 200
    return render(request, "integrations/webhooks.html", {"form": form, "subscriptions": subs}, status=status)


def _detail(request, sub, *, secret: str = "", status: int = 200):
    log = sub.deliveries.select_related("event__case").order_by("-created_at", "-id")[:50]
    context = {"sub": sub, "log": log, "secret": secret}
    return render(request, "integrations/webhook_detail.html", context, status=status)


def _get(request, pk: int):
    require_lead(request.user, "Webhook subscriptions")
    return get_object_or_404(subscriptions.subscriptions_visible(request.user), pk=pk)


@login_required
def webhook_detail(request, pk: int):
    return _detail(request, _get(request, pk))


@login_required
@require_POST
def webhook_toggle(request, pk: int):
    sub = _get(request, pk)
    subscriptions.webhook_subscription_update(
        actor=request.user, subscription=sub, changes={"active": not sub.active}
    )
    messages.success(
        request,
        f"'{sub.name}' paused: deliveries wait."
        if sub.active
        else f"'{sub.name}' switched on: what waited goes out, oldest first.",
    )
    return redirect("integrations:webhook_detail", pk=sub.pk)


@login_required
@require_POST
def webhook_redeliver(request, pk: int, delivery_id: int):
    sub = _get(request, pk)
    delivery = get_object_or_404(sub.deliveries.select_related("subscription"), pk=delivery_id)
    try:
        webhooks.webhook_redeliver(delivery=delivery)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, f"{delivery.public_event_id} will be sent again.")
    return redirect("integrations:webhook_detail", pk=sub.pk)
