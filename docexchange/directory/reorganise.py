"""Reorganise units with effective dates: what a plan changes, its dry run, and applying it.

Applying writes the whole plan in one transaction: the units as they will be (old ones end
the day before the date, with their successors; new ones begin on it), the names and parents
they had before (unit_versions), and ONE evidence leaf `reorganisation_applied`, sealed under
the batch's signed tree head. Routing needs nothing more: it asks which units are valid on the
day, so a plan dated in the future takes effect on its date by itself. What must *happen* on
the date, moving open deliveries to successors, is done by `follow_open_deliveries`, run at
apply time and then by the server every few minutes (idempotent).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from docexchange.clock import Clock
from docexchange.config import Config
from docexchange.directory.plan import (
    PlanRow,
    Problem,
    check_plan,
    parse_plan,
    refuse,
)
from docexchange.directory.service import Directory, Resolution
from docexchange.directory.sync import SyncDiff
from docexchange.errors import DocExchangeError
from docexchange.evidence.log import EvidenceLog
from docexchange.ids import new_ulid
from docexchange.store import reorganisation as sql
from docexchange.store import units as unit_store
from docexchange.store.engine import Database
from docexchange.store.messages import insert_event_txn
from docexchange.store.tx import Tx
from docexchange.store.units import dumps
from docexchange.unit import Unit

log = logging.getLogger(__name__)
DAY = dt.timedelta(days=1)


class Waker(Protocol):
    def notify(self, organ_ids: Iterable[str]) -> None: ...


class PlanContext(Protocol):
    """What a plan needs of the hub. `docexchange.hub.Hub` is one; a protocol rather than the
    Hub itself because the hub is built on the directory, never the other way round."""

    @property
    def config(self) -> Config: ...
    @property
    def db(self) -> Database: ...
    @property
    def directory(self) -> Directory: ...
    @property
    def evidence(self) -> EvidenceLog: ...
    @property
    def notifier(self) -> Waker: ...
    @property
    def clock(self) -> Clock: ...


@dataclass
class Effects:
    """A checked plan turned into directory changes, and what they do to routing."""

    rows: list[PlanRow]
    changed: dict[str, Unit] = field(default_factory=dict)  # final state of each touched unit
    versions: list[tuple[str, dt.date, dt.date, str, str, str | None]] = field(
        default_factory=list)
    lines: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    follows: dict[str, str] = field(default_factory=dict)    # old code -> the one successor
    stops: dict[str, tuple[str, ...]] = field(default_factory=dict)  # split/dissolved
    open_deliveries: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict[str, int]:
        moving = sum(n for code, n in self.open_deliveries.items() if code in self.follows)
        staying = sum(n for code, n in self.open_deliveries.items() if code in self.stops)
        return {**dict(sorted(self.counts.items())), "codes_following": len(self.follows),
                "codes_stopping": len(self.stops), "open_deliveries_moving": moving,
                "open_deliveries_staying": staying}


def plan_effects(rows: list[PlanRow], units: dict[str, Unit],
                 history: dict[str, dt.date] | None = None) -> Effects:
    """Replay the plan date by date over a copy of the directory (pure, no I/O).
    `history`: per unit, the last day of its latest recorded version (from earlier plans),
    so that a new version starts after it instead of overwriting it."""
    fx = Effects(rows)
    ends = dict(history or {})
    work = dict(units)

    def put(unit: Unit) -> None:
        work[unit.organ_id] = unit
        fx.changed[unit.organ_id] = unit

    def version(unit: Unit, day: dt.date) -> None:
        earlier = [v[2] for v in fx.versions if v[0] == unit.organ_id]
        if unit.organ_id in ends:
            earlier.append(ends[unit.organ_id])
        start = max([unit.valid_from] + [end + DAY for end in earlier])
        fx.versions.append((unit.organ_id, start, day - DAY, unit.name, unit.kind,
                            unit.parent_id))
    for day in sorted({r.effective for r in rows}):
        today = [r for r in rows if r.effective == day]
        for r in today:
            _apply_row(r, work, put, version, fx)
        _reparent_children(day, today, work, put, version, fx)
    for code, unit in fx.changed.items():
        if code in units and units[code].valid_to is None and unit.valid_to is not None:
            if len(unit.all_successors) == 1:
                fx.follows[code] = unit.all_successors[0]
            else:
                fx.stops[code] = unit.all_successors
    return fx


def _apply_row(r: PlanRow, work: dict[str, Unit], put: Any, version: Any, fx: Effects) -> None:
    last = r.effective - DAY
    src = work.get(r.from_code)
    if r.operation == "create":
        put(Unit(organ_id=r.to_code, name=r.to_name, kind=r.to_kind, parent_id=r.to_parent or None,
                 valid_from=r.effective, placeholder=r.placeholder))
        fx.lines.append(f"{r.effective} create   {r.to_code} {r.to_name} ({r.to_kind})"
                        + (" [placeholder OrganId]" if r.placeholder else ""))
        fx.counts["created"] += 1
    elif r.operation == "reparent" and src is not None:
        version(src, r.effective)
        put(dataclasses.replace(src, parent_id=r.to_parent))
        fx.lines.append(f"{r.effective} reparent {src.organ_id} → parent {r.to_parent}")
        fx.counts["reparented"] += 1
    elif r.operation == "rename" and src is not None and not r.recode:
        version(src, r.effective)
        put(dataclasses.replace(src, name=r.to_name))
        fx.lines.append(f"{r.effective} rename   {src.organ_id} {src.name} → {r.to_name}")
        fx.counts["renamed"] += 1
    elif src is not None:
        if r.recode:
            put(dataclasses.replace(src, organ_id=r.to_code, name=r.to_name or src.name,
                                    valid_from=r.effective, aliases=(src.organ_id,),
                                    placeholder=r.placeholder, successors=(), successor_id=None))
        successors = tuple(dict.fromkeys(
            (*(src.all_successors if src.valid_to == last else ()), r.to_code)))
        if r.operation == "dissolve":
            successors = ()
        put(dataclasses.replace(src, valid_to=last, successors=successors,
                                successor_id=successors[0] if successors else None))
        target = work.get(r.to_code)
        arrow = f" → {r.to_code} {target.name if target else ''}" if r.to_code else ""
        op = "recode" if r.recode else r.operation
        fx.lines.append(f"{r.effective} {op:<8} {src.organ_id} {src.name}{arrow}")
        if src.valid_to != last:
            fx.counts[{"merge": "merged", "split": "split", "dissolve": "dissolved",
                       "rename": "recoded"}[r.operation]] += 1


def _reparent_children(day: dt.date, rows: list[PlanRow], work: dict[str, Unit], put: Any,
                       version: Any, fx: Effects) -> None:
    """Children of a unit that merged or changed code now hang under its successor."""
    moved = {r.from_code for r in rows}
    for r in rows:
        if not (r.operation == "merge" or r.recode):
            continue
        for child in [u for u in work.values() if u.parent_id == r.from_code]:
            if child.organ_id in moved or not child.is_valid_on(day):
                continue
            version(child, day)
            put(dataclasses.replace(child, parent_id=r.to_code))
            fx.lines.append(f"{day} reparent {child.organ_id} → parent {r.to_code} (follows "
                            f"{r.from_code})")
            fx.counts["reparented"] += 1


async def prepare(hub: PlanContext, text: str) -> Effects:
    """Read, check and work out a plan; raises DX_INVALID_PLAN listing every problem."""
    rows, problems = parse_plan(text)
    return await prepare_rows(hub, rows, problems)


async def prepare_rows(hub: PlanContext, rows: list[PlanRow], problems: list[Problem] | None = None
                       ) -> Effects:
    units = {u.organ_id: u for u in hub.directory.all_units()}
    latest = await sql.latest_plan_date(hub.db)
    problems = sorted([*(problems or []),
                *check_plan(rows, units, dt.date.fromisoformat(latest) if latest else None)],
                      key=lambda p: p.line)
    if problems:
        raise refuse(problems)
    fx = plan_effects(rows, units, hub.directory.version_ends())
    fx.open_deliveries = await sql.open_delivery_counts(
        hub.db, sorted({*fx.follows, *fx.stops}), frozenset(r.from_code for r in rows if r.recode))
    return fx


def routing_lines(fx: Effects, split_policy: str) -> list[str]:
    """Which codes stop, which follow whom, which open deliveries move (the dry run)."""
    lines = []
    for code, successor in sorted(fx.follows.items()):
        n = fx.open_deliveries.get(code, 0)
        lines.append(f"{code} follows {successor}" + (f"; {n} open deliveries move" if n else ""))
    for code, successors in sorted(fx.stops.items()):
        n = fx.open_deliveries.get(code, 0)
        what = (f"split into {', '.join(successors)}" if successors else "dissolved")
        effect = ("delivered to all successors" if split_policy == "all" and successors
                  else "refused with DX_RECIPIENT_REORGANISED")
        lines.append(f"{code} stops ({what}): {effect}"
                     + (f"; {n} open deliveries stay for the grace period" if n else ""))
    return lines


async def apply_plan(hub: PlanContext, text: str, source: str) -> tuple[Effects, str, int]:
    """Apply a checked plan in one transaction with one evidence leaf; returns the effects,
    the plan id and the leaf index. The same file applied twice is refused."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if await sql.plan_by_sha(hub.db, digest) is not None:
        raise _already_applied(digest)
    rows, problems = parse_plan(text)
    return await apply_rows(hub, rows, digest, source, problems)


def _already_applied(digest: str) -> DocExchangeError:
    return DocExchangeError("DX_CONFLICT", "Kế hoạch này đã được áp dụng.",
                            "This plan was already applied.", sha256=digest)


async def apply_rows(hub: PlanContext, rows: list[PlanRow], digest: str, source: str,
                     problems: list[Problem] | None = None) -> tuple[Effects, str, int]:
    fx = await prepare_rows(hub, rows, problems)
    plan_id = new_ulid()
    dates = sorted({r.effective for r in fx.rows})

    def txn(conn: Tx) -> int:
        if sql.plan_by_sha_txn(conn, digest) is not None:
            raise _already_applied(digest)
        for unit in fx.changed.values():
            unit_store.upsert_unit_txn(conn, unit, hub.clock.now_ms())
        for organ_id, start, end, name, kind, parent in fx.versions:
            unit_store.insert_version_txn(conn, organ_id, start, end, name, kind, parent, plan_id)
        sql.insert_plan_txn(conn, plan_id, digest, source, dates[0].isoformat(),
                            dates[-1].isoformat(), dumps([r.to_json() for r in fx.rows]),
                            hub.clock.now_ms())
        index = hub.evidence.append_txn(conn, "reorganisation_applied", {
            "plan_id": plan_id, "sha256": digest, "source": source,
            "effective_dates": [d.isoformat() for d in dates], "summary": fx.summary(),
            "operations": [r.to_json() for r in fx.rows]}, units=sorted(fx.changed))
        sql.set_plan_log_index_txn(conn, plan_id, index)
        return index
    index = await hub.db.write("apply_reorganisation", txn)
    await hub.directory.reload()
    await follow_open_deliveries(hub)
    return fx, plan_id, index


async def follow_open_deliveries(hub: PlanContext) -> int:
    """Move deliveries not yet fetched by a retired unit to its one successor of today.

    Idempotent and stateless: any retired unit with a single current successor qualifies, so
    a scheduled plan's deliveries move on the first run after its date. Fetched but
    unacknowledged deliveries stay with the old unit (its grace period), except after a
    recode, whose credentials now act as the new code (Directory.recoded_as): they follow
    too, or nobody could acknowledge them. Those of a split or dissolved unit stay. Off when
    exchange.open_deliveries_follow is false."""
    if not hub.config.exchange.open_deliveries_follow:
        return 0
    today = hub.directory.today(hub.config.zone)
    moves: dict[str, str] = {}
    for unit in hub.directory.all_units():
        if unit.valid_to is not None and unit.valid_to < today and unit.all_successors:
            result = hub.directory.resolve(unit.organ_id, today, follow_successor=True)
            if isinstance(result, Resolution) and len(result.organ_ids) == 1:
                moves[unit.organ_id] = result.organ_ids[0]
    recoded = frozenset(old for old, new in moves.items()
                        if hub.directory.recoded_as(old, today) == new)
    counts = await sql.open_delivery_counts(hub.db, sorted(moves), recoded)
    if not counts:
        return 0
    moved = await hub.db.write("follow_open_deliveries", lambda c: _follow_txn(
        hub, c, moves, sorted(counts), today, recoded))
    hub.notifier.notify(set(moves.values()))
    return moved


def _follow_txn(hub: PlanContext, conn: Tx, moves: dict[str, str], olds: list[str],
                today: dt.date, recoded: frozenset[str]) -> int:
    ts = hub.clock.now_ms()
    moved: list[dict[str, str]] = []
    for old in olds:
        new = moves[old]
        for delivery_id, message_id in sql.open_deliveries_txn(conn, old,
                                                               recoded=old in recoded):
            if not sql.move_delivery_txn(conn, delivery_id, message_id, old, new, ts):
                continue
            insert_event_txn(conn, delivery_id, "rerouted", "hub", ts,
                             note=f"routing: followed {old} → {new} (reorganisation, {today})")
            moved.append({"delivery_id": delivery_id, "message_id": message_id, "from": old,
                          "to": new})
    if moved:
        hub.evidence.append_txn(conn, "deliveries_followed", {"deliveries": moved},
                                units=sorted({m["from"] for m in moved} |
                                             {m["to"] for m in moved}))
    return len(moved)


async def follow_forever(hub: PlanContext, interval: float = 300.0) -> None:
    """Run follow_open_deliveries every `interval` seconds while the server runs."""
    while True:
        await asyncio.sleep(interval)
        try:
            await follow_open_deliveries(hub)
        except Exception:  # the next run retries; nothing was half written
            log.exception("following open deliveries failed")


async def apply_sync(hub: PlanContext, diff: SyncDiff, source: str, retire_gone: bool) -> int:
    """Write a reviewed sync diff: new and changed units in one transaction with one evidence
    leaf; each placeholder replaced by its official code through a recode plan (the
    placeholder becomes an alias). Gone units are retired (ending yesterday) only on request."""
    today = hub.directory.today(hub.config.zone)
    gone = [dataclasses.replace(u, valid_to=today - DAY) for u in diff.gone] if retire_gone \
        else []
    writes = [*diff.new, *(new for _, new, _ in diff.changed), *gone]

    def txn(conn: Tx) -> int:
        for unit in writes:
            unit_store.upsert_unit_txn(conn, unit, hub.clock.now_ms())
        return hub.evidence.append_txn(conn, "directory_synced", {
            "source": source, "new": [u.organ_id for u in diff.new],
            "changed": [u.organ_id for _, u, _ in diff.changed],
            "retired": [u.organ_id for u in gone]}, units=[u.organ_id for u in writes])
    index = await hub.db.write("directory_sync", txn) if writes else -1
    await hub.directory.reload()
    if diff.replaces:
        rows = [PlanRow(n, today, "rename", p.organ_id, u.organ_id, u.name,
                        note="directory sync: official code")
                for n, (p, u) in enumerate(diff.replaces, start=1)]
        text = dumps([r.to_json() for r in rows])
        await apply_rows(hub, rows, hashlib.sha256(text.encode()).hexdigest(), source)
    return index
