"""Many rows in one prepared statement, for bulk writers: `insert` for rows that need no ids
back (the demo city's history tables, the dashboards' rollups), `update` for one column set to
a value of its own in each of many rows.

`bulk_create` writes the SQL of every batch afresh and passes every value through its field's
conversions; for thousands of rows of plain numbers, text and dates that is most of the time
spent. `insert` prepares the statement once and sends the rows with `executemany` (SQLite
runs the compiled statement per row, psycopg pipelines them). It writes what `bulk_create`
would write and, like it, calls no `save()` and sends no signal; unlike it, it gives the
objects no primary key.
"""

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import connections, models, router, transaction

# Field classes whose database value is the Python value itself when that value is a plain
# int, str, float, bool or None (subclasses are not: an encrypted text field is a TextField).
_AS_IS = frozenset(
    {
        models.BigIntegerField,
        models.BooleanField,
        models.CharField,
        models.FloatField,
        models.ForeignKey,
        models.IntegerField,
        models.OneToOneField,
        models.PositiveBigIntegerField,
        models.PositiveIntegerField,
        models.PositiveSmallIntegerField,
        models.SlugField,
        models.SmallIntegerField,
        models.TextField,
    }
)
_PLAIN = (int, str, float, type(None))  # bool is an int


def insert(objs: Sequence[models.Model], *, using: str | None = None) -> int:
    """INSERT `objs` (unsaved instances of one model, primary key left to the database);
    returns how many rows were written."""
    if not objs:
        return 0
    model = type(objs[0])
    opts = model._meta
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    serial = isinstance(opts.pk, models.AutoField)  # the database numbers the rows
    fields = [
        f
        for f in opts.concrete_fields
        if not (serial and f is opts.pk) and not getattr(f, "generated", False)
    ]
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    as_is = {f for f in fields if type(f) in _AS_IS}
    related = [f for f in fields if f.is_relation]
    rows = []
    last: dict = {}  # field → (moment, converted): rows often share one moment object
    for obj in objs:
        if type(obj) is not model:
            raise TypeError(f"insert() takes one model's rows, not {type(obj).__name__}")
        if serial and obj.pk is not None:
            raise ValueError("insert() numbers the rows itself; use bulk_create for given ids")
        for f in related:  # a related row saved after it was assigned: take its id now
            if getattr(obj, f.attname) is None and f.is_cached(obj):
                target = f.get_cached_value(obj)
                if target is not None:
                    value = getattr(target, f.target_field.attname)
                    if value is None:
                        raise ValueError(f"{f.name}: save the related row first")
                    setattr(obj, f.attname, value)
        for f in stamped:
            f.pre_save(obj, add=True)
        row = []
        for f in fields:
            value = getattr(obj, f.attname)
            if f not in as_is or not isinstance(value, _PLAIN):
                seen = last.get(f)
                if seen is not None and seen[0] is value:
                    value = seen[1]
                elif hasattr(value, "resolve_expression"):
                    raise TypeError(f"{f.name}: an expression; use bulk_create")
                else:
                    converted = f.get_db_prep_save(value, connection)
                    if isinstance(value, dt.date | dt.time):  # immutable: safe to reuse
                        last[f] = (value, converted)
                    value = converted
            row.append(value)
        rows.append(row)
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(opts.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with transaction.atomic(using=alias, savepoint=False), connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)


def update(model: type[models.Model], field: str, values: Iterable[tuple], *, using=None) -> int:
    """Set `field` of each row (pk, value) in `values`: one prepared UPDATE run for every row,
    where `bulk_update` or an UPDATE with `Case(When(pk=…))` builds and resolves a branch per
    row. The value goes through the field's conversion; nothing else is touched (no
    `auto_now`, no signal). Returns how many (pk, value) pairs were sent."""
    opts = model._meta
    column = opts.get_field(field)
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    rows = [
        (column.get_db_prep_save(value, connection), opts.pk.get_db_prep_save(pk, connection))
        for pk, value in values
    ]
    if not rows:
        return 0
    quote = connection.ops.quote_name
    sql = f"UPDATE {quote(opts.db_table)} SET {quote(column.column)} = %s WHERE {quote(opts.pk.column)} = %s"
    with transaction.atomic(using=alias, savepoint=False), connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)
