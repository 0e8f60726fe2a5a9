"""Writing many rows of one model in one plain statement (PostgreSQL and SQLite alike).

For the hot paths only (a transition inviting every role of an action, writing their log
rows and notifications): the ORM's ``bulk_update`` builds a ``CASE WHEN`` expression per
value and ``bulk_create`` goes through its compiler, costs that outweigh the statement
itself. Values are prepared by each model field, as the ORM would (``get_db_prep_save``).
"""

from django.db import connection


def _prepared(instance, field):
    return field.get_db_prep_save(getattr(instance, field.attname), connection)


def _placeholder(field) -> str:
    """PostgreSQL types a VALUES list from its values: a column of NULLs would be text."""
    if connection.vendor == "postgresql":
        return f"CAST(%s AS {field.cast_db_type(connection)})"
    return "%s"


def update_rows(model, instances: list, field_names: list[str]) -> None:
    """``UPDATE … FROM (VALUES …)``: set these fields of every instance, one statement."""
    if not instances or not field_names:
        return
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    one = "(" + ", ".join(_placeholder(f) for f in [meta.pk, *fields]) + ")"
    # VALUES columns are named column1, column2… on both databases (column1: the key).
    assignments = ", ".join(
        f"{quote(field.column)} = v.column{position}"
        for position, field in enumerate(fields, start=2)
    )
    sql = (
        f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([one] * len(instances))}) "
        f"AS v WHERE {table}.{quote(meta.pk.column)} = v.column1"
    )
    params = [
        value
        for instance in instances
        for value in (_prepared(instance, meta.pk), *(_prepared(instance, f) for f in fields))
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def insert_rows(
    model, instances: list, field_names: list[str], *, then: str = "", then_params=()
) -> list[tuple]:
    """``INSERT … VALUES (…), (…)`` of every instance, one statement; ``then`` follows the
    VALUES (``ON CONFLICT …``, ``RETURNING …``) and the rows it returns are returned."""
    if not instances:
        return []
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES {', '.join([one] * len(instances))} {then}"
    )
    params = [_prepared(instance, field) for instance in instances for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *then_params])
        return cursor.fetchall() if cursor.description else []
