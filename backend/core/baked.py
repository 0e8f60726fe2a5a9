"""Querysets compiled to SQL once, then run again with other ids.

For the few reads every transition makes (lock the action, read its roles, find its staff):
building and compiling a queryset costs the ORM more than the database spends running it.
A ``Baked`` query is written as an ordinary queryset taking ids; it is compiled the first
time in each thread, with markers in place of the ids, and from then on only its parameters
change. Rows come back as the queryset gives them: model instances (with their
``select_related`` objects) or ``values_list`` tuples, through the same converters.

Only whole-number parameters (ids) can vary; anything else (states, kinds) is part of the
query. ``select_for_update`` keeps its rule: only inside a transaction.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators
from django.db.transaction import TransactionManagementError

_MARKER = -(2**62)  # no id is this negative: the n-th parameter compiles to _MARKER - n


@dataclass
class _Compiled:
    connection: object
    sql: str
    params: list
    slots: list[tuple[int, int]]  # (position in params, which parameter)
    compiler: object
    converters: dict
    build: Callable[[list], list]
    locks: bool


class Baked:
    def __init__(self, query: Callable[..., object]):
        """``query(*ids)`` returns the queryset for these ids."""
        self.query = query
        self._local = threading.local()

    def __call__(self, *ids: int) -> list:
        compiled = self._compiled(len(ids))
        if compiled.locks and compiled.connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = list(compiled.params)
        for position, which in compiled.slots:
            params[position] = ids[which]
        with compiled.connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
        return compiled.build(rows)

    def _compiled(self, count: int) -> _Compiled:
        compiled = getattr(self._local, "compiled", None)
        if compiled is None or compiled.connection is not connections["default"]:
            compiled = self._local.compiled = self._compile(count)
        return compiled

    def _compile(self, count: int) -> _Compiled:
        markers = [_MARKER - which for which in range(count)]
        queryset = self.query(*markers)
        connection = connections[queryset.db]
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots = [
            (position, markers.index(value))
            for position, value in enumerate(params)
            if type(value) is int and value in markers
        ]
        if sorted({which for _, which in slots}) != list(range(count)):
            raise ValueError(f"{self.query!r}: every id must appear in the query as it is")
        fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
        return _Compiled(
            connection=connection,
            sql=sql,
            params=list(params),
            slots=slots,
            compiler=compiler,
            converters=compiler.get_converters(fields),
            build=_builder(queryset, compiler),
            locks=bool(queryset.query.select_for_update),
        )


def _builder(queryset, compiler) -> Callable[[list], list]:
    """How rows become what the queryset yields (as ``ModelIterable`` and
    ``ValuesListIterable`` do it)."""
    if queryset._iterable_class is ValuesListIterable:
        return lambda rows: [tuple(row) for row in rows]
    if queryset._iterable_class is not ModelIterable or compiler.annotation_col_map:
        raise ValueError("a baked query yields model instances or values_list tuples")
    if queryset._known_related_objects:
        raise ValueError("a baked query starts from a manager, not from a related manager")
    db, select, klass_info = queryset.db, compiler.select, compiler.klass_info
    model = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    attnames = [selected[0].target.attname for selected in select[start:end]]
    populators = get_related_populators(klass_info, select, db)

    def build(rows: list) -> list:
        objects = []
        for row in rows:
            instance = model.from_db(db, attnames, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            objects.append(instance)
        return objects

    return build
