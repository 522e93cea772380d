"""Teams, products and people as the API shows them, kept per process (cases.config).

A page of cases names the same few teams, products and owners on every row; joining them into
each page's query made PostgreSQL plan a five-table join per request and Python build three
model instances per row. They are read once and dropped when any of them changes (a sign-in,
which only touches `last_login`, changes nothing shown here).
"""

from django.db.models.signals import post_delete, post_save

from accounts.models import Team, User

from . import config
from .models import Product

NAME = "directory"


class _Directory:
    def __init__(self):
        self.teams = {
            t["id"]: {"id": t["id"], "name": t["name"], "slug": t["slug"], "lead": t["lead_id"]}
            for t in Team.objects.values("id", "name", "slug", "lead_id")
        }
        self.products = {p["id"]: p for p in Product.objects.values("id", "name", "active")}
        self.people: dict[int, dict] = {}

    def person(self, pk: int) -> dict:
        return self.people_of([pk])[pk]

    def people_of(self, pks) -> dict[int, dict]:
        missing = {pk for pk in pks if pk not in self.people}
        if missing:
            for u in User.objects.filter(pk__in=missing).values(
                "id", "username", "first_name", "last_name", "role"
            ):
                name = f"{u['first_name']} {u['last_name']}".strip()  # User.get_full_name()
                self.people[u["id"]] = {
                    "id": u["id"],
                    "username": u["username"],
                    "name": name,
                    "role": u["role"],
                }
        return self.people


def directory() -> _Directory:
    return config.cached(NAME, _Directory)


def _changed(sender, update_fields=None, **kwargs) -> None:
    if sender is User and update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    config.changed(NAME)


def register() -> None:
    for model in (Team, Product, User):
        post_save.connect(_changed, sender=model, dispatch_uid=f"directory-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"directory-delete-{model.__name__}")
