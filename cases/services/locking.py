"""Every write to a case starts here: lock the row, and refuse a stale copy.

A client that read the case at version N sends `expected_version=N` (the API's If-Match, the
browser's hidden field): if someone changed the case since, the write is refused with the same
answer at every door, instead of silently overwriting what the other person did.
"""

from collections.abc import Collection

from ..models import Case


class CaseChanged(Exception):
    """The caller's copy of the case is stale."""

    def __init__(self, *, case: Case):
        self.case, self.current = case, case.version
        super().__init__(
            f"Someone changed case {case.reference} since you opened it: look at what changed and try again."
        )


def case_lock(
    case: Case | int,
    *,
    expected_version: int | Collection[int] | None = None,
    related: tuple[str, ...] = (),
    annotate: dict | None = None,
) -> Case:
    """The case, locked for this transaction; `CaseChanged` when `expected_version` is stale.
    No expected version means the caller accepts last-write-wins; several (an If-Match listing
    more than one ETag) mean any of them will do."""
    pk = case if isinstance(case, int) else case.pk
    qs = Case.objects.select_for_update(of=("self",)).select_related(*related)
    locked = qs.annotate(**(annotate or {})).get(pk=pk)
    if expected_version is not None:
        accepted = {expected_version} if isinstance(expected_version, int) else set(expected_version)
        if locked.version not in accepted:
            raise CaseChanged(case=locked)
    return locked
