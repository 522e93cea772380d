from rest_framework.pagination import CursorPagination
from rest_framework.response import Response


class Cursor(CursorPagination):
    """Cursor pages: no COUNT(*), and the cost of a page does not grow with the table."""

    ordering = ("-opened_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def cursor_by(*fields: str, size: int = 50) -> type[Cursor]:
    """A cursor pagination ordered by `fields` (the last one unique, so the order is stable)."""
    return type(
        f"Cursor_{'_'.join(f.strip('-') for f in fields)}", (Cursor,), {"ordering": fields, "page_size": size}
    )


class WholeList(Cursor):
    """The cursor page shape for a list that is short by nature and ordered in Python (a case's
    clocks): one page, no cursor, so every list answers `{next, previous, results}`."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        return list(queryset)

    def get_paginated_response(self, data):
        return Response({"next": None, "previous": None, "results": data})
