# ruff: noqa: E501, S608  (SQL built from numbers and this file's own SQL, never outside input)
"""Bulk rows for the benchmarks: INSERT ... SELECT over generate_series, a million rows in
seconds to minutes. Run with Django set up on a bench database.

The column list comes from the models: every column the caller does not give gets the field's
default (or NULL, or ''), so a column added to a model later does not break the fill.
"""

from django.db import connection
from django.db.models import Model


def columns(model: type[Model], given: dict[str, str]) -> tuple[list[str], list[str]]:
    """(column names, SQL expressions) for every concrete column of `model`."""
    names, exprs = [], []
    for field in model._meta.concrete_fields:
        if (field.primary_key and field.attname not in given) or field.generated:
            continue  # the database computes a generated column (the case reference) itself
        names.append(connection.ops.quote_name(field.column))
        if field.attname in given:
            exprs.append(given[field.attname])
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            exprs.append("now()")
        elif field.has_default():
            value = field.get_db_prep_save(field.get_default(), connection)
            exprs.append(connection.ops.compose_sql("%s", [value]))
        elif field.null:
            exprs.append("NULL")
        elif field.empty_strings_allowed:
            exprs.append("''")
        else:
            raise ValueError(f"the bench fill needs a value for {model.__name__}.{field.attname}")
    unknown = set(given) - {f.attname for f in model._meta.concrete_fields if not f.generated}
    if unknown:
        raise ValueError(f"{model.__name__} has no column {sorted(unknown)}")
    return names, exprs


def insert_select(model: type[Model], given: dict[str, str], source: str) -> int:
    """INSERT INTO model's table (all columns) SELECT <given or default> FROM <source>."""
    names, exprs = columns(model, given)
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(names)}) SELECT {', '.join(exprs)} FROM {source}"
    with connection.cursor() as cur:
        cur.execute(sql)
        return cur.rowcount


def id_range(model: type[Model], after: int) -> tuple[int, int]:
    with connection.cursor() as cur:
        cur.execute(f"SELECT min(id), max(id) FROM {model._meta.db_table} WHERE id > %s", [after])  # noqa: S608
        return cur.fetchone()


def max_id(model: type[Model]) -> int:
    with connection.cursor() as cur:
        cur.execute(f"SELECT coalesce(max(id), 0) FROM {model._meta.db_table}")  # noqa: S608
        return cur.fetchone()[0]


def customers(count: int, *, prefix: str = "bench") -> tuple[int, int]:
    """`count` customers with distinct e-mails; returns their id range."""
    from cases.models import Customer

    before = max_id(Customer)
    insert_select(
        Customer,
        {
            "name": "'Bench customer ' || g",
            "email": f"'{prefix}-' || g || '@example.com'",
        },
        f"generate_series({before + 1}, {before + count}) AS g",
    )
    return id_range(Customer, before)


def cases(
    count: int,
    *,
    customer_ids: tuple[int, int],
    team_id: int,
    product_id: int,
    owner_id: int | None = None,
    status_sql: str = "'new'",
    opened_sql: str = "now() - make_interval(secs => g)",
    more: dict[str, str] | None = None,
) -> tuple[int, int]:
    """`count` cases spread over the customers in `customer_ids`, references as the intake service
    gives them (R-000123), opened one second apart into the past so the API's new cases come
    first. `status_sql`, `opened_sql` and the columns in `more` (which win over the ones here) are
    SQL over g (1..count). Returns the id range."""
    from cases.models import Case

    low, high = customer_ids
    before = max_id(Case)
    seq = "pg_get_serial_sequence('cases_case', 'id')"
    insert_select(
        Case,
        {
            "id": "s.id",
            "customer_id": f"{low} + (g % {high - low + 1})",
            "channel": "'email'",
            "summary": "'Bench case ' || g",
            "product_id": str(product_id),
            "journey_stage": "'delivery'",
            "severity": "(ARRAY['low','medium','high','critical'])[1 + g % 4]",
            "team_id": str(team_id),
            "owner_id": str(owner_id) if owner_id else "NULL",
            "status": status_sql,
            "opened_at": opened_sql,
            **(more or {}),
        },
        f"(SELECT nextval({seq}) AS id, g FROM generate_series(1, {count}) AS g) AS s",
    )
    return id_range(Case, before)


def clocks(
    *,
    case_ids: tuple[int, int],
    kind: str,
    started_sql: str,
    due_sql: str,
    target_minutes: float,
    steps_json: str = "[]",
    where_sql: str = "TRUE",
    warn_sql: str = "NULL",
) -> int:
    """One running clock on each case in `case_ids`; g is the case's position (1..n) in the range,
    so `due_sql` and `started_sql` can spread the deadlines (and `warn_sql` its first warning);
    c.opened_at and c.status are the case's."""
    from sla.models import Clock

    low, high = case_ids
    return insert_select(
        Clock,
        {
            "case_id": "c.id",
            "kind": f"'{kind}'",
            "target_minutes": str(target_minutes),
            "steps": f"'{steps_json}'::jsonb",
            "state": "'running'",
            "started_at": started_sql,
            "due_at": due_sql,
            "warn_at": warn_sql,
            "next_check_at": due_sql,
        },
        f"(SELECT id, opened_at, status, id - {low} + 1 AS g FROM cases_case"
        f" WHERE id BETWEEN {low} AND {high} AND {where_sql}) AS c",
    )


def events(*, case_ids: tuple[int, int], kind: str = "case.opened") -> int:
    """One timeline event per case, at its opening: the timeline's size as a live table has it."""
    from cases.models import CaseEvent

    low, high = case_ids
    return insert_select(
        CaseEvent,
        {"case_id": "c.id", "kind": f"'{kind}'", "created_at": "c.opened_at", "data": "'{}'::jsonb"},
        f"(SELECT id, opened_at FROM cases_case WHERE id BETWEEN {low} AND {high} ORDER BY id) AS c",
    )


def vacuum() -> None:
    """What autovacuum would have done on a live database: statistics and the visibility map."""
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
