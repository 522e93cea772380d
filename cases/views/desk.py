"""The desk: bulk work on the queue, saved views, and who else has a case open."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import User

from .. import selectors
from ..models import Case
from ..presence import presence_touch
from ..services import desk
from ..workflow import RULES


def _back_to_queue(request):
    params = request.POST.get("back", "")
    return redirect(reverse("cases:queue") + (f"?{params}" if params else ""))


@login_required
@require_POST
def bulk(request):
    """Assign or move the ticked cases; each case answers for itself on the results page."""
    references = request.POST.getlist("cases")
    what = request.POST.get("what", "")
    try:
        if what == "assign":
            owner = User.objects.filter(pk=request.POST.get("owner") or 0, is_active=True).first()
            if owner is None:
                raise ValidationError({"owner": "Choose who takes the cases."})
            results = desk.bulk_assign(
                actor=request.user, references=references, to_owner=owner, reason=request.POST.get("text", "")
            )
        else:
            results = desk.bulk_transition(
                actor=request.user, references=references, action=what, text=request.POST.get("text", "")
            )
    except ValidationError as exc:
        return render(
            request,
            "cases/bulk_results.html",
            {"nav": "queue", "errors": exc.messages, "results": [], "back": request.POST.get("back", "")},
            status=400,
        )
    done = sum(r.ok for r in results)
    return render(
        request,
        "cases/bulk_results.html",
        {"nav": "queue", "results": results, "done": done, "back": request.POST.get("back", "")},
    )


@login_required
@require_POST
def saved_view_save(request):
    try:
        view = desk.saved_view_save(user=request.user, name=request.POST.get("name", ""), params=request.POST)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back_to_queue(request)
    messages.success(request, f"Saved the view “{view.name}”.")
    return redirect(reverse("cases:queue") + (f"?{view.params}" if view.params else ""))


@login_required
@require_POST
def saved_view_delete(request, pk: int):
    try:
        desk.saved_view_delete(user=request.user, pk=pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back_to_queue(request)


@login_required
@require_POST
def presence(request, reference: str):
    try:
        case = selectors.case_for_page(request.user, reference)
    except Case.DoesNotExist:
        raise Http404("No such case.") from None
    others = presence_touch(case_pk=case.pk, user=request.user, mode=request.POST.get("mode", "viewing"))
    return render(request, "cases/_presence.html", {"case": case, "others": others})


BULK_ACTIONS = [(action.value, rule.label) for action, rule in RULES.items()]
