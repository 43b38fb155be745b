"""Multi-row INSERTs: one statement for many rows of one table.

Why not `executemany`: on PostgreSQL each row of an `executemany` is its own statement (a
round trip each unless pipelined), while the writer holds the lock every node waits for; one
`INSERT ... VALUES (...), (...)` is one round trip on either engine. Rows are cut in chunks
that stay under SQLite's oldest bound on bound parameters (999).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from docexchange.store.tx import Tx

#: SQLite before 3.32 accepts at most 999 bound parameters per statement
MAX_PARAMETERS = 999


def insert_rows_txn(conn: Tx, head: str, rows: Sequence[Sequence[Any]], tail: str = "") -> None:
    """`head` ("INSERT INTO t (a, b) VALUES") with one placeholder group per row, then
    `tail` (e.g. "ON CONFLICT DO NOTHING"). Returns nothing: reading a rowcount would make a
    pipelined writer wait for the answer (store/postgres.py)."""
    if not rows:
        return
    width = len(rows[0])
    group = "(" + ", ".join("?" * width) + ")"
    per_statement = max(1, MAX_PARAMETERS // width)
    for start in range(0, len(rows), per_statement):
        chunk = rows[start:start + per_statement]
        values = ", ".join([group] * len(chunk))
        params = [value for row in chunk for value in row]
        conn.execute(f"{head} {values} {tail}".rstrip(), params)
