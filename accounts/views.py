"""The history of a rule, as a page and as CSV. Managers and admins only: rules are theirs."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .history import changes_csv, changes_of, rule


def require_rule_keeper(user) -> None:
    if not user.sees_all_teams:
        raise PermissionDenied("Rule histories are for managers and admins.")


def _changes(request, label: str, pk: int | None):
    require_rule_keeper(request.user)
    found = rule(label)
    if found is None:
        raise Http404("No such rule.")
    history = found.model.history.all()
    if pk is not None:
        history = history.filter(id=pk)
    return found, changes_of(history, found.model)


@login_required
@require_GET
def rule_history(request, label: str, pk: int | None = None):
    found, changes = _changes(request, label, pk)
    return render(
        request,
        "accounts/rule_history.html",
        {"rule": found, "pk": pk, "changes": changes[:500], "total": len(changes)},
    )


@login_required
@require_GET
def rule_history_csv(request, label: str, pk: int | None = None):
    found, changes = _changes(request, label, pk)
    name = f"{label.replace('.', '-')}{f'-{pk}' if pk else ''}-history.csv"
    response = HttpResponse(changes_csv(changes, found.title), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
