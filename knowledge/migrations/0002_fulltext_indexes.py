"""GIN indexes for full-text search, on PostgreSQL only (SQLite, the `make run` default, searches
with icontains). Created with the very expressions knowledge.search queries with, or they would
not be used. No model state changes: the tables belong to other apps."""

from django.db import migrations


def _pairs(apps):
    from knowledge.search import gin_indexes

    return [(apps.get_model(m._meta.app_label, m._meta.model_name), index) for m, index in gin_indexes()]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, index in _pairs(apps):
        schema_editor.add_index(model, index)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, index in _pairs(apps):
        schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0001_initial"),
        ("cases", "0009_customer_email_any_case"),
        ("messaging", "0002_default_templates"),
    ]

    operations = [migrations.RunPython(create, drop)]
