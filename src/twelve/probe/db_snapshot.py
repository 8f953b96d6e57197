"""What a database holds, as far as a service could observe it: tables, rows, columns, indexes.

Two snapshots of the same database compare to a list of changes, so a probe can tell whether
running something (an admin task a second time, a worker) changed anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["SNAPSHOT_SQL", "Snapshot"]

_ROWS = (
    "CREATE FUNCTION pg_temp.twelve_rows(t regclass) RETURNS text LANGUAGE plpgsql AS $f$"
    " DECLARE r text; BEGIN EXECUTE format('SELECT count(*) || '' '' || md5(coalesce("
    "string_agg(x::text, chr(10) ORDER BY x::text), '''')) FROM %s x', t) INTO r;"
    " RETURN r; END $f$"
)
_USER = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'"
_SNAPSHOT = f"""
SELECT 'table', format('%I.%I', n.nspname, c.relname), pg_temp.twelve_rows(c.oid::regclass)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND {_USER}
UNION ALL
SELECT 'column', format('%I.%I', n.nspname, c.relname),
       format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod))
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v') AND {_USER}
UNION ALL
SELECT 'index', format('%I.%I', n.nspname, c.relname), pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {_USER}
"""


# One psql session: a helper function for the row hashes, then the query.
SNAPSHOT_SQL = (_ROWS, _SNAPSHOT)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a database holds, as far as a service could observe it.

    Args:
        tables: table name -> "row count, md5 of its rows".
        schema: one line per column and index ("column public.items name text").
    """

    tables: dict[str, str]
    schema: frozenset[str]

    @classmethod
    def parse(cls, lines: Iterable[str]) -> Snapshot:
        """Read the output of `SNAPSHOT_SQL` (tab-separated: what, table, detail).

        Args:
            lines: psql's unaligned, tuples-only output lines.
        """
        tables: dict[str, str] = {}
        schema: set[str] = set()
        for line in lines:
            what, table, detail = line.split("\t", 2)
            if what == "table":
                tables[table] = detail
            else:
                schema.add(f"{what} {table} {detail}")
        return cls(tables, frozenset(schema))

    def rows(self, table: str) -> int:
        """The number of rows of `table` (0 when it does not exist)."""
        return int(self.tables.get(table, "0 -").split()[0])

    def changes(self, after: Snapshot) -> list[str]:
        """What differs in `after`, one line each ("public.items: 3 -> 6 rows").

        Args:
            after: a later snapshot of the same database.
        """
        found = [f"new table {t} ({after.rows(t)} rows)" for t in after.tables.keys() - self.tables]
        found += [f"table {t} dropped" for t in self.tables.keys() - after.tables]
        for table in sorted(self.tables.keys() & after.tables):
            before, now = self.rows(table), after.rows(table)
            if before != now:
                found.append(f"{table}: {before} -> {now} rows")
            elif self.tables[table] != after.tables[table]:
                found.append(f"{table}: rows changed ({now} rows)")
        found += [f"new {line}" for line in sorted(after.schema - self.schema)]
        found += [f"gone {line}" for line in sorted(self.schema - after.schema)]
        return found
