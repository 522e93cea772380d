"""The timeline stays append-only, with one narrow exception: erasing a customer.

A right-to-erasure request must reach the customer's words inside event data too. The trigger lets an
UPDATE through only when the transaction has set `recovery.erasure` to 'on' (the erasure service
does so with a transaction-local `set_config` and switches it off again straight after), and even
then only the `data` column may change: the kind, the actor, the case and the time of every event
stay as written. DELETE is refused always.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION cases_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND coalesce(current_setting('recovery.erasure', true), '') = 'on'
        AND NEW.id = OLD.id
        AND NEW.case_id = OLD.case_id
        AND NEW.kind = OLD.kind
        AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
        AND NEW.created_at = OLD.created_at
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'case events are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""
RESTORE = """
CREATE OR REPLACE FUNCTION cases_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'case events are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RESTORE, params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_customer_erasure")]
    operations = [migrations.RunPython(forwards, backwards)]
