"""What one accepted document costs the writer: every statement runs while the writer holds
the lock all writers (every process, every node) wait for, so the count is pinned here.

Counted on the real writer of a real hub, on this run's engine (a trace callback on SQLite's
writer connection; the PostgreSQL writer's `PgTx`)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from docexchange.app import create_app
from docexchange.store import postgres, sqlite
from tests.conftest import PROVINCE, SERVER, SO_NOI_VU, SONG_HINH, HubEnv
from tests.exchange.helpers import XML, document, sign_as

WRITER = "docexchange-writer"


@pytest.fixture
def writer_statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement the writer thread runs from now on, in order."""
    seen: list[str] = []

    def note(sql: str) -> None:
        if threading.current_thread().name == WRITER:
            seen.append(" ".join(sql.split()))
    if SERVER is None:
        connect = sqlite.connect

        def traced(path: Path, **kwargs: Any) -> sqlite3.Connection:
            conn = connect(path, **kwargs)
            conn.set_trace_callback(note)
            return conn
        monkeypatch.setattr(sqlite, "connect", traced)
    else:
        execute = postgres.PgTx.execute
        executemany = postgres.PgTx.executemany

        def counted(self: postgres.PgTx, sql: str, params: Any = (), /) -> Any:
            note(sql)
            return execute(self, sql, params)

        def counted_many(self: postgres.PgTx, sql: str, params: Any, /) -> Any:
            params = list(params)
            for _ in params:
                note(sql)
            return executemany(self, sql, params)
        monkeypatch.setattr(postgres.PgTx, "execute", counted)
        monkeypatch.setattr(postgres.PgTx, "executemany", counted_many)
    return seen


def _jobs(statements: list[str]) -> list[list[str]]:
    """The statements of each job: from its SAVEPOINT to its RELEASE."""
    jobs, current = [], None
    for sql in statements:
        if sql.startswith("SAVEPOINT"):
            current = [sql]
        elif current is not None:
            current.append(sql)
            if sql.startswith("RELEASE"):
                jobs.append(current)
                current = None
    return jobs


async def test_an_accepted_document_costs_seven_statements_and_its_batch_one(
        hub_env: HubEnv, aiohttp_client: Any, writer_statements: list[str]) -> None:
    client = await aiohttp_client(create_app(hub_env.config))
    to = [SO_NOI_VU, SONG_HINH, "000.00.13.H45"]
    data = sign_as(hub_env, PROVINCE, document(PROVINCE, to))
    resp = await client.post("/api/v1/documents", data=data,
                             headers={**hub_env.auth(PROVINCE), **XML})
    receipt = await resp.json()
    assert resp.status == 202, receipt
    accepted = [job for job in _jobs(writer_statements)
                if any(s.startswith("INSERT INTO messages") for s in job)]
    assert len(accepted) == 1
    # the batch's first leaf reads MAX+1 once; this document was alone in its batch
    counter = [s for s in accepted[0] if s.startswith("SELECT COALESCE(MAX(leaf_index)")]
    assert len(counter) == 1
    verbs = [" ".join(s.split()[:3]) for s in accepted[0] if s not in counter]
    # no lookup, no read-back, no UPDATE: three deliveries in one statement
    assert verbs == ["SAVEPOINT job", "INSERT INTO messages", "INSERT INTO payloads",
                     "INSERT INTO deliveries", "INSERT INTO delivery_events",
                     "INSERT INTO log_leaves", "RELEASE job"], accepted[0]
    assert len(receipt["recipients"]) == 3
    assert isinstance(receipt["log_index"], int)


async def test_a_repeat_is_answered_from_the_first_rows(
        hub_env: HubEnv, aiohttp_client: Any, writer_statements: list[str]) -> None:
    """The insert is the duplicate check: a repeat inserts nothing else and reads the first."""
    client = await aiohttp_client(create_app(hub_env.config))
    data = sign_as(hub_env, PROVINCE, document(PROVINCE, [SO_NOI_VU, SONG_HINH]))
    headers = {**hub_env.auth(PROVINCE), **XML}
    first = await (await client.post("/api/v1/documents", data=data, headers=headers)).json()
    del writer_statements[:]
    again = await client.post("/api/v1/documents", data=data, headers=headers)
    body = await again.json()
    assert again.status == 200 and body["duplicate"] is True
    assert body["recipients"] == first["recipients"]
    assert body["log_index"] == first["log_index"]
    repeat = [job for job in _jobs(writer_statements)
              if any(s.startswith("INSERT INTO messages") for s in job)]
    assert len(repeat) == 1
    assert not any(s.startswith(("INSERT INTO payloads", "INSERT INTO deliveries",
                                 "INSERT INTO log_leaves")) for s in repeat[0])
