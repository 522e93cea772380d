"""Control characters in a browser page's address are answered with a 400 that says so.

PostgreSQL cannot hold a NUL byte in a string, so `?q=%00` used to reach the database and fail
with a 500; other control characters (bell, escape, backspace...) never belong in a search box or
a filter either. Form fields are checked by their forms (a NUL is a field error); the JSON API
answers for itself, so views exempt from CSRF are left alone here.
"""

import unicodedata

from django.shortcuts import render

MESSAGE = (
    "The address cannot contain control characters (such as a NUL byte): "
    "remove them from the search or filter and try again."
)


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in text)


class ControlCharactersInQueryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "csrf_exempt", False):
            return None
        for key, values in request.GET.lists():
            if has_control_characters(key) or any(has_control_characters(v) for v in values):
                return render(request, "bad_request.html", {"message": MESSAGE}, status=400)
        return None
