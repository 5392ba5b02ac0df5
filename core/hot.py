"""Hot-path reads whose SQL the ORM builds once per process (issue 15 §1: the first-come rush).

Building a query — filters, joins, compiling to SQL — costs the ORM several times what the
database spends running a small indexed read. `HotQuery` keeps the query written with the ORM
(its scope and rules stay the QuerySets everyone else uses) and compiles it once per database and
*shape*; later calls put the new values into the same SQL and build rows or model instances the
way Django's own iterables do (the ORM's converters, `from_db`, select_related populators,
annotations).

Which parameters belong to which argument is found at the first call by compiling again with each
argument changed; an argument that changes the SQL text itself (None vs a value, a list's length)
must be part of the `shape` key the caller passes. Every argument must reach the SQL as given: one
the query does not use, uses only through a value derived from it (`now.date()`), or sends in
another form than `_db_value` gives is refused at that first call (a programming error the tests
catch), since a later call could not put its new value in.
"""

from __future__ import annotations

import copy
import datetime as dt
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators


@contextmanager
def hot_cursor() -> Iterator[Any]:
    """A cursor for a statement run on every hot request. On PostgreSQL with prepared statements on
    (settings: `DB_PREPARED_STATEMENTS`) its parameters are bound on the server, so psycopg prepares
    the statement once it has run `prepare_threshold` times on this connection and PostgreSQL stops
    planning it each time — measured with pg_stat_statements during bench/rush.sh, planning the
    token, section and pupil reads took 0.35 + 0.24 + 0.15 ms a request against 0.06 + 0.03 + 0.03 ms
    running them. Elsewhere (SQLite, or prepared statements off) Django's own cursor."""
    if connection.vendor != "postgresql" or connection.settings_dict["OPTIONS"].get("prepare_threshold") is None:
        with connection.cursor() as cursor:
            yield cursor
        return
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    usual = raw.cursor_factory
    raw.cursor_factory = ServerBindingCursor
    try:
        cursor = connection.cursor()
    finally:
        raw.cursor_factory = usual
    with cursor:
        yield cursor


@dataclass(frozen=True)
class _Plan:
    compiler: Any
    sql: str
    params: tuple
    positions: dict[str, tuple[int, ...]]


def _changed(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value + "~"
    if isinstance(value, dt.datetime):
        return value + dt.timedelta(seconds=1)
    raise TypeError(f"HotQuery arguments are int, str, bool or datetime, not {type(value).__name__}")


def _db_value(value: Any) -> Any:
    """The value as the ORM sends it (datetimes through the backend's adapter, as DateTimeField does)."""
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


class HotQuery:
    """A QuerySet built by `build(**args)`, compiled once per database vendor and `shape`."""

    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self._plans: dict[tuple, _Plan] = {}
        self._lock = threading.Lock()

    def _compile(self, args: dict[str, Any]) -> tuple[Any, str, list]:
        queryset = self.build(**args)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        return compiler, sql, list(params)

    def _plan(self, shape: Hashable, args: dict[str, Any]) -> _Plan:
        key = (connection.vendor, connection.alias, shape)
        plan = self._plans.get(key)
        if plan is not None:
            return plan
        compiler, sql, params = self._compile(args)
        positions: dict[str, tuple[int, ...]] = {}
        for name, value in args.items():
            _c, other_sql, other = self._compile({**args, name: _changed(value)})
            if other_sql != sql or len(other) != len(params):
                raise ValueError(f"HotQuery argument {name!r} changes the SQL: put it in the shape")
            at = tuple(i for i, (a, b) in enumerate(zip(params, other, strict=True)) if a != b)
            if not at or any(params[i] != _db_value(value) for i in at):  # unused, derived or converted
                raise ValueError(f"HotQuery argument {name!r} does not reach the SQL as given")
            positions[name] = at
        plan = _Plan(compiler, sql, tuple(params), positions)
        with self._lock:
            self._plans[key] = plan
        return plan

    def _run(self, shape: Hashable, args: dict[str, Any]) -> tuple[Any, list]:
        plan = self._plan(shape, args)
        params = list(plan.params)
        for name, at in plan.positions.items():
            value = _db_value(args[name])
            for i in at:
                params[i] = value
        compiler = copy.copy(plan.compiler)  # per call: it is bound to this thread's connection
        compiler.connection = connection
        with hot_cursor() as cursor:
            cursor.execute(plan.sql, params)
            rows = cursor.fetchall()
        return compiler, rows

    def rows(self, shape: Hashable = (), **args: Any) -> list[tuple]:
        """The rows of a values_list() query, converted as the ORM converts them."""
        compiler, rows = self._run(shape, args)
        return list(compiler.results_iter(results=[rows], tuple_expected=True))

    def objects(self, shape: Hashable = (), **args: Any) -> list[Model]:
        """Model instances (with select_related objects and annotations), as `ModelIterable` builds them."""
        compiler, rows = self._run(shape, args)
        select, klass_info, annotation_col_map = compiler.select, compiler.klass_info, compiler.annotation_col_map
        model_cls = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        init_list = [f[0].target.attname for f in select[start:end]]
        populators = get_related_populators(klass_info, select, connection.alias)
        out = []
        for row in compiler.results_iter(results=[rows]):
            obj = model_cls.from_db(connection.alias, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for attr_name, col_pos in (annotation_col_map or {}).items():
                setattr(obj, attr_name, row[col_pos])
            out.append(obj)
        return out
