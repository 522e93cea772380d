"""A form sent from a page that is out of date: read the version it carries, answer it alike.

Every form that changes a case carries the case's version as the page showed it
(`{% case_version case %}`); the service refuses it with `CaseChanged` when someone changed
the case since, and the page answers 409, as the API answers a stale If-Match with 412.
"""

from ..services import CaseChanged


class UnreadableVersion(Exception):
    """The form's `expected_version` is there but is not a version number."""

    def __init__(self):
        super().__init__(
            "This form could not be read (the case version it carries is not a number), "
            "so nothing was changed: reload the page and try again."
        )


def expected_version(request) -> int | None:
    """The case's version when the page with this form was rendered.

    A page rendered before forms carried it sends none: that is last write wins, as it was.
    """
    raw = request.POST.get("expected_version")
    if raw is None:
        return None
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()):
        raise UnreadableVersion()
    return int(raw)


def refusal_status(exc: Exception, *, otherwise: int) -> int:
    """409 for a stale page, 400 for an unreadable form; a page's other refusals keep theirs."""
    if isinstance(exc, CaseChanged):
        return 409
    return 400 if isinstance(exc, UnreadableVersion) else otherwise
