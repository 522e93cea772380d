"""Who may see and do what. Used by the HTML views, the API and the services alike."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from .models import Case


def visible_cases(user, queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """Managers and admins see every case; everyone else sees the cases of their teams."""
    qs = Case.objects.all() if queryset is None else queryset
    if user is None or not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.sees_all_teams:
        return qs
    return qs.filter(team__in=user.teams.all())


def can_view_case(user, case: Case) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.works_in(case.team_id)


def can_work_case(user, case: Case) -> bool:
    """Anyone who can see a case may work it: the front line owns the fix."""
    return can_view_case(user, case)


def require_work(user, case: Case) -> None:
    """Services call this for a human actor; `None` means the system itself acts."""
    if user is not None and not can_work_case(user, case):
        raise PermissionDenied("You do not work this team's cases.")


def is_lead(user) -> bool:
    return user is None or (user.is_authenticated and user.leads)


def require_lead(user, what: str) -> None:
    if not is_lead(user):
        raise PermissionDenied(f"{what} is for team leads and managers.")
