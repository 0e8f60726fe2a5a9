"""Writing many rows of one model in one plain statement.

For the hot paths only (a transition inviting every role of an action, writing their log
rows and notifications): the ORM's ``bulk_update`` builds a ``CASE WHEN`` expression per
value and ``bulk_create`` goes through its compiler, costs that outweigh the statement
itself. Values are prepared by each model field, as the ORM would (``get_db_prep_save``).

On PostgreSQL each column travels as one array (``unnest``), so the statement's text is the
same whatever the number of rows: psycopg parses it once and the server can prepare it. A
value shared by every row (the state a transition sets, the time it was made) goes once.
Elsewhere (SQLite) a ``VALUES`` list does the same.
"""

import datetime
import functools

from django.conf import settings
from django.db import connection, models

# Fields whose plain values (str, int, bool, None) the ORM hands to psycopg unchanged.
PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
    models.AutoField,
    models.BigAutoField,
)
PLAIN_VALUES = (str, int, bool, type(None))


def _values(instances: list, field) -> list:
    """The field's value of each instance, as the database takes it. The choice is made once
    for the column: on PostgreSQL a plain value of a plain field, or an aware time of a
    ``DateTimeField``, goes as it is (what ``get_db_prep_save`` would give back, for a tenth
    of the time)."""

    def prepare(value):
        return field.get_db_prep_save(value, connection)

    values = [getattr(row, field.attname) for row in instances]
    if connection.vendor != "postgresql":
        return [prepare(value) for value in values]
    if isinstance(field, PLAIN_FIELDS):
        return [value if type(value) in PLAIN_VALUES else prepare(value) for value in values]
    if isinstance(field, models.DateTimeField) and settings.USE_TZ:
        return [
            value if type(value) is datetime.datetime and value.tzinfo else prepare(value)
            for value in values
        ]
    return [prepare(value) for value in values]


@functools.cache
def _cast(field) -> str:
    return field.cast_db_type(connection)


def _rows_source(instances: list, fields: list) -> tuple[list[str], list, str, list]:
    """Each field's value for the statement and a FROM source with one row per instance:
    (expressions, their params, source, its params). An expression is a column of the source
    (``v.column1``…); on PostgreSQL a value that every instance shares goes once, as a plain
    parameter, instead of an array of copies (the first field always comes as an array, so
    the source keeps one row per instance)."""
    columns = [_values(instances, field) for field in fields]
    if connection.vendor != "postgresql":
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        params = [value for row in zip(*columns, strict=True) for value in row]
        names = [f"v.column{position}" for position in range(1, len(fields) + 1)]
        return names, [], f"(VALUES {', '.join([one] * len(instances))}) AS v", params
    expressions, shared, arrays, array_params = [], [], [], []
    for position, (field, values) in enumerate(zip(fields, columns, strict=True)):
        first = values[0]
        if position and all(value == first for value in values):
            expressions.append(f"CAST(%s AS {_cast(field)})")
            shared.append(first)
        else:
            arrays.append(f"CAST(%s AS {_cast(field)}[])")
            array_params.append(values)
            expressions.append(f"v.column{len(arrays)}")
    names = ", ".join(f"column{position}" for position in range(1, len(arrays) + 1))
    return expressions, shared, f"unnest({', '.join(arrays)}) AS v ({names})", array_params


def update_rows(model, instances: list, field_names: list[str]) -> None:
    """Set these fields of every instance (found by primary key), in one UPDATE."""
    if not instances or not field_names:
        return
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    if len(instances) == 1:
        (instance,) = instances
        assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
        sql = f"UPDATE {table} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
        params = [_values([instance], field)[0] for field in [*fields, meta.pk]]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        return
    (key, *values), shared, source, params = _rows_source(instances, [meta.pk, *fields])
    assignments = ", ".join(
        f"{quote(field.column)} = {value}" for field, value in zip(fields, values, strict=True)
    )
    found = f"{table}.{quote(meta.pk.column)} = {key}"
    sql = f"UPDATE {table} SET {assignments} FROM {source} WHERE {found}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*shared, *params])


def insert_rows(
    model, instances: list, field_names: list[str], *, then: str = "", then_params=()
) -> list[tuple]:
    """Insert every instance in one statement; ``then`` follows (``ON CONFLICT …``,
    ``RETURNING …``) and the rows it returns are returned."""
    if not instances:
        return []
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    values, shared, source, params = _rows_source(instances, fields)
    # "WHERE true" keeps SQLite from reading the ON CONFLICT of an upsert as a join clause.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"SELECT {', '.join(values)} FROM {source} WHERE true {then}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*shared, *params, *then_params])
        return cursor.fetchall() if cursor.description else []
