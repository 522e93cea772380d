"""Sortable column headers for the case lists."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def sort_th(label: str, column: str, sort: str = "", params: str = ""):
    """A header that sorts by its column, the second click reversing; `aria-sort` says how."""
    current = sort.removeprefix("-") == column
    descending = current and sort.startswith("-")
    target = column if descending or not current else f"-{column}"
    query = f"{params}&sort={target}" if params else f"sort={target}"
    state = ("descending" if descending else "ascending") if current else "none"
    arrow = ("▼" if descending else "▲") if current else ""
    return format_html(
        '<th scope="col" aria-sort="{}"><a class="sort" href="?{}">{}'
        '<span aria-hidden="true"> {}</span></a></th>',
        state,
        query,
        label,
        arrow,
    )
