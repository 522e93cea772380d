"""The history of every rule: who changed it, when, what it was before and after.

django-simple-history writes one row per save and delete into a `Historical<Model>` table
beside the rule's own (docs/rule-history.md says why this library). Nothing in the app
updates or deletes those rows: the admin shows them read-only and the only reads are the
rule pages and their CSV export. On PostgreSQL a trigger refuses UPDATE and DELETE on them.

Concerns register their rule models here (`register_rule`), so the one history page and its
export serve every rule without accounts importing them.
"""

import csv
import io
from dataclasses import dataclass

from django.db import models
from django.utils.text import capfirst
from simple_history.models import HistoricalRecords

KINDS = {"+": "created", "~": "changed", "-": "deleted"}


class RuleHistory(HistoricalRecords):
    """History that ignores saves touching only the fields it leaves out (a user's last login
    is written on every sign-in: that is not a change of rule)."""

    def __init__(self, *args, ignore_only: tuple[str, ...] = (), **kwargs):
        self.ignore_only = frozenset(ignore_only)
        super().__init__(*args, **kwargs)

    def post_save(self, instance, created, using=None, **kwargs):
        fields = kwargs.get("update_fields")
        if not created and fields and set(fields) <= self.ignore_only:
            return
        super().post_save(instance, created, using=using, **kwargs)


@dataclass(frozen=True)
class Rule:
    label: str  # "remedies.authoritycap": the URL names it
    model: type
    title: str


_rules: dict[str, Rule] = {}


def register_rule(model, title: str) -> None:
    label = model._meta.label_lower
    _rules[label] = Rule(label=label, model=model, title=title)


def rule(label: str) -> Rule | None:
    return _rules.get(label)


def rules() -> list[Rule]:
    return sorted(_rules.values(), key=lambda r: r.title)


@dataclass(frozen=True)
class Change:
    at: object
    who: object
    kind: str
    changes: list[tuple[str, str, str]]  # (field, before, after)
    record: object


def _shown(row, field) -> str:
    """A field as people read it: the related record's name, the choice's label."""
    if row is None:
        return ""
    value = getattr(row, field.attname)
    if value is None or value == "":
        return ""
    if field.is_relation:
        try:
            return str(getattr(row, field.name))
        except field.related_model.DoesNotExist:
            return f"#{value} (deleted)"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def neutralise(value) -> str:
    """A cell starting like a formula gets a leading quote, so a spreadsheet shows it as text."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def _fields(model) -> list[models.Field]:
    history = model.history.model
    own = {f.attname for f in history._meta.fields}
    return [
        f
        for f in model._meta.concrete_fields
        if f.attname in own and f.attname not in {"updated_at", model._meta.pk.attname}
    ]


def changes_of(history_qs, model) -> list[Change]:
    """Each history row with the fields that differ from the row before it (newest first)."""
    fields = _fields(model)
    rows = list(history_qs.select_related("history_user").order_by("history_date", "history_id"))
    out, before = [], {}
    for row in rows:
        prev = before.get(row.id)
        diffs = []
        if row.history_type != "-":
            for field in fields:
                old = getattr(prev, field.attname) if prev is not None else None
                if prev is None or old != getattr(row, field.attname):
                    diffs.append((capfirst(field.verbose_name), _shown(prev, field), _shown(row, field)))
        before[row.id] = row
        out.append(
            Change(
                at=row.history_date,
                who=row.history_user,
                kind=KINDS.get(row.history_type, row.history_type),
                changes=diffs,
                record=row,
            )
        )
    out.reverse()
    return out


def changes_csv(changes: list[Change], title: str) -> str:
    """One line per field changed: when, who, what, which record, field, before, after."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["changed_at", "changed_by", "change", "rule", "record", "field", "before", "after"])
    for change in changes:
        who = change.who.get_username() if change.who else ""
        for field, old, new in change.changes or [("", "", "")]:
            cells = [change.at.isoformat(), who, change.kind, title, change.record.id, field, old, new]
            writer.writerow([neutralise(cell) for cell in cells])
    return buf.getvalue()


# ---- append-only on PostgreSQL -----------------------------------------------------------------

_GUARD = """
CREATE OR REPLACE FUNCTION rule_history_append_only() RETURNS trigger AS $$
BEGIN
    -- A person who changed rules may be deleted later: their name goes, the change stays.
    IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - 'history_user_id') = (to_jsonb(OLD) - 'history_user_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'rule history is append-only (% on %)', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def append_only(*tables: str):
    """A migration operation refusing UPDATE and DELETE on history tables (PostgreSQL only; on
    SQLite nothing in the app writes them but the history itself)."""
    from django.db import migrations

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(_GUARD, params=None)
        for table in tables:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION rule_history_append_only()"
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")

    return migrations.RunPython(forwards, backwards)
