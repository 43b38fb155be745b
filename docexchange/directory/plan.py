"""A reorganisation plan: its CSV (docs/reorganisation.md), read and checked as a whole.

A bad plan is refused as a whole with every problem listed, never half applied: reading
collects the problems of every line, checking collects those of the plan against the
directory, and only a plan with none goes further.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from docexchange.errors import DocExchangeError
from docexchange.unit import KINDS, MAX_ORGAN_ID, Unit

OPERATIONS = ("create", "merge", "split", "rename", "dissolve", "reparent")
COLUMNS = ("effective_date", "operation", "from_code", "to_code", "to_name", "to_kind",
           "to_parent", "placeholder", "unit_code", "note")
#: Operations that retire their from_code (its code stops or follows on the date).
RETIRING = ("merge", "split", "dissolve")


@dataclass(frozen=True)
class PlanRow:
    line: int
    effective: dt.date
    operation: str
    from_code: str = ""
    to_code: str = ""
    to_name: str = ""
    to_kind: str = ""
    to_parent: str = ""
    placeholder: bool = False
    unit_code: str = ""
    note: str = ""

    @property
    def recode(self) -> bool:
        """A rename that gives the unit a new code (the old one becomes an alias)."""
        return self.operation == "rename" and self.to_code != self.from_code

    def to_json(self) -> list[str]:
        return [self.effective.isoformat(), self.operation, self.from_code, self.to_code,
                self.to_name]


@dataclass(frozen=True)
class Problem:
    line: int
    code: str
    en: str
    vi: str

    def to_json(self) -> dict[str, object]:
        return {"line": self.line, "code": self.code, "problem": self.en, "van_de": self.vi}


def refuse(problems: list[Problem]) -> DocExchangeError:
    """DX_INVALID_PLAN listing every problem; nothing of the plan was applied."""
    lines_en = "; ".join(f"line {p.line}: {p.en}" for p in problems[:20])
    lines_vi = "; ".join(f"dòng {p.line}: {p.vi}" for p in problems[:20])
    more = f" (+{len(problems) - 20})" if len(problems) > 20 else ""
    return DocExchangeError(
        "DX_INVALID_PLAN", f"Kế hoạch sắp xếp bị từ chối toàn bộ, {len(problems)} lỗi: "
        f"{lines_vi}{more}", f"The reorganisation plan is refused as a whole, "
        f"{len(problems)} problem(s): {lines_en}{more}",
        errors=[p.to_json() for p in problems])


def read_plan(text: str) -> list[PlanRow]:
    """Parse the CSV (lines starting with '#' are comments); raises DX_INVALID_PLAN."""
    rows, problems = parse_plan(text)
    if problems:
        raise refuse(problems)
    return rows


def parse_plan(text: str) -> tuple[list[PlanRow], list[Problem]]:
    """The well-formed rows and the problems of the others, so that a refusal can list the
    problems of the whole plan at once."""
    body = "\n".join(line for line in text.lstrip("\ufeff").splitlines()
                     if not line.lstrip().startswith("#"))
    offset = sum(1 for line in text.lstrip("\ufeff").splitlines()
                 if line.lstrip().startswith("#"))
    reader = csv.DictReader(io.StringIO(body))
    missing = [c for c in ("effective_date", "operation") if c not in (reader.fieldnames or [])]
    if missing:
        return [], [Problem(1 + offset, "", f"required column {missing[0]} missing",
                            f"thiếu cột bắt buộc {missing[0]}")]
    rows: list[PlanRow] = []
    problems: list[Problem] = []
    for n, raw in enumerate(reader, start=2):
        row, found = _row(raw, n + offset)
        problems.extend(found)
        if row is not None:
            rows.append(row)
    if not rows and not problems:
        problems.append(Problem(1 + offset, "", "the plan has no operation",
                                "kế hoạch không có thao tác nào"))
    return rows, problems


def _row(raw: dict[str, str], line: int) -> tuple[PlanRow | None, list[Problem]]:
    get = lambda key: unicodedata.normalize("NFC", (raw.get(key) or "").strip())  # noqa: E731
    problems: list[Problem] = []

    def bad(code: str, en: str, vi: str) -> None:
        problems.append(Problem(line, code, en, vi))
    op = get("operation")
    try:
        effective = dt.date.fromisoformat(get("effective_date"))
    except ValueError:
        bad("", f"effective_date is not a date (yyyy-mm-dd): {get('effective_date')!r}",
            f"effective_date không phải ngày (yyyy-mm-dd): {get('effective_date')!r}")
        effective = dt.date.min
    if op not in OPERATIONS:
        bad("", f"unknown operation {op!r} (one of {', '.join(OPERATIONS)})",
            f"thao tác không hợp lệ {op!r} (một trong {', '.join(OPERATIONS)})")
        return None, problems
    need = {"create": ("to_code", "to_name", "to_kind"), "merge": ("from_code", "to_code"),
            "split": ("from_code", "to_code"), "rename": ("from_code", "to_code"),
            "dissolve": ("from_code",), "reparent": ("from_code", "to_parent")}[op]
    for column in need:
        if not get(column):
            bad(get("from_code"), f"{op} needs {column}", f"thao tác {op} cần cột {column}")
    if get("to_kind") and get("to_kind") not in KINDS:
        bad(get("to_code"), f"to_kind must be one of {', '.join(KINDS)}",
            f"to_kind phải là một trong {', '.join(KINDS)}")
    if len(get("to_code")) > MAX_ORGAN_ID:
        bad(get("to_code"), f"to_code longer than {MAX_ORGAN_ID} characters",
            f"to_code dài quá {MAX_ORGAN_ID} ký tự")
    if op == "rename" and get("to_code") == get("from_code") and not get("to_name"):
        bad(get("from_code"), "a rename keeping the code needs to_name",
            "đổi tên giữ nguyên mã cần cột to_name")
    if problems:
        return None, problems
    return PlanRow(line, effective, op, get("from_code"), get("to_code"), get("to_name"),
                   get("to_kind"), get("to_parent"),
                   get("placeholder").lower() in ("yes", "1", "true", "x"), get("unit_code"),
                   get("note")), problems


def check_plan(rows: list[PlanRow], units: dict[str, Unit], not_before: dt.date | None
               ) -> list[Problem]:
    """Every problem of the plan against the directory; [] means it can be applied.

    `not_before`: the last date of the plans already applied; a plan may not change the past
    of one (its dates must come after)."""
    problems: list[Problem] = []
    created = {r.to_code: r for r in rows if r.operation == "create" or r.recode}
    retiring: dict[str, list[PlanRow]] = {}
    for r in rows:
        if r.operation in RETIRING or r.recode:
            retiring.setdefault(r.from_code, []).append(r)

    def bad(r: PlanRow, code: str, en: str, vi: str) -> None:
        problems.append(Problem(r.line, code, en, vi))
    for r in rows:
        if not_before is not None and r.effective <= not_before:
            bad(r, r.from_code or r.to_code,
                f"date {r.effective} is in the past of an applied plan (last date {not_before})",
                f"ngày {r.effective} nằm trong quá khứ của kế hoạch đã áp dụng "
                f"(ngày cuối {not_before})")
        problems.extend(_known_codes(r, units, created))
    for code, rs in retiring.items():
        problems.extend(_retired_once(code, rs, units))
    problems.extend(_cycles(rows))
    problems.extend(_orphans(rows, units, retiring))
    return sorted(problems, key=lambda p: (p.line, p.code))


def _known_codes(r: PlanRow, units: dict[str, Unit], created: dict[str, PlanRow]
                 ) -> Iterable[Problem]:
    if r.from_code and r.from_code not in units and r.operation != "reparent":
        yield Problem(r.line, r.from_code, f"unknown code {r.from_code}",
                      f"không có đơn vị mã {r.from_code}")
    if r.operation == "reparent" and r.from_code not in units and r.from_code not in created:
        yield Problem(r.line, r.from_code, f"unknown code {r.from_code}",
                      f"không có đơn vị mã {r.from_code}")
    if r.operation in ("merge", "split") and r.to_code not in units and r.to_code not in created:
        yield Problem(r.line, r.to_code, f"unknown successor {r.to_code} (create it in the plan)",
                      f"không có đơn vị kế thừa {r.to_code} (hãy tạo trong kế hoạch)")
    if (r.operation == "create" or r.recode) and r.to_code in units:
        yield Problem(r.line, r.to_code, f"code {r.to_code} already exists",
                      f"mã {r.to_code} đã tồn tại")
    if r.to_parent and r.to_parent not in units and r.to_parent not in created:
        yield Problem(r.line, r.to_parent, f"unknown parent {r.to_parent}",
                      f"không có đơn vị cấp trên {r.to_parent}")
    unit = units.get(r.from_code)
    if unit is not None and unit.valid_to is not None and unit.valid_to < r.effective:
        yield Problem(r.line, r.from_code, f"{r.from_code} already stopped on {unit.valid_to}",
                      f"{r.from_code} đã ngừng từ {unit.valid_to}")
    if unit is not None and r.effective <= unit.valid_from:
        yield Problem(r.line, r.from_code, f"date {r.effective} is not after {r.from_code} "
                      f"began ({unit.valid_from})", f"ngày {r.effective} không sau ngày "
                      f"{r.from_code} bắt đầu ({unit.valid_from})")


def _retired_once(code: str, rs: list[PlanRow], units: dict[str, Unit]) -> Iterable[Problem]:
    ops = sorted({("recode" if r.recode else r.operation) for r in rs})
    first = rs[0]
    if len(ops) > 1:
        both = " and ".join(ops)
        yield Problem(first.line, code, f"{code} is both {both} (one change per unit and date)",
                      f"{code} vừa {' vừa '.join(ops)} (mỗi đơn vị một thay đổi)")
    elif ops == ["merge"] and len({r.to_code for r in rs}) > 1:
        yield Problem(first.line, code, f"{code} is merged into several units (use split)",
                      f"{code} được sáp nhập vào nhiều đơn vị (hãy dùng split)")
    elif ops == ["split"] and len({r.to_code for r in rs}) < 2:
        yield Problem(first.line, code, f"{code} is split into a single unit (use merge)",
                      f"{code} được chia tách thành một đơn vị (hãy dùng merge)")
    elif len({r.effective for r in rs}) > 1:
        yield Problem(first.line, code, f"{code} retired on several dates",
                      f"{code} ngừng vào nhiều ngày khác nhau")
    if any(r.to_code == code for r in rs):
        yield Problem(first.line, code, f"{code} names itself as successor",
                      f"{code} tự kế thừa chính mình")


def _cycles(rows: list[PlanRow]) -> Iterable[Problem]:
    """A → B → … → A in the successor edges of the plan: routing would never end."""
    edges: dict[str, set[str]] = {}
    line: dict[str, int] = {}
    for r in rows:
        if (r.operation in ("merge", "split") or r.recode) and r.to_code != r.from_code:
            edges.setdefault(r.from_code, set()).add(r.to_code)
            line.setdefault(r.from_code, r.line)
    reported: set[frozenset[str]] = set()
    for start in sorted(edges):
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in sorted(edges.get(node, ())):
                if nxt == start and frozenset(path) not in reported:
                    reported.add(frozenset(path))
                    loop = " → ".join([*path, start])
                    yield Problem(line[start], start, f"cycle of successors: {loop}",
                                  f"vòng kế thừa khép kín: {loop}")
                elif nxt not in path:
                    stack.append((nxt, [*path, nxt]))


def _orphans(rows: list[PlanRow], units: dict[str, Unit], retiring: dict[str, list[PlanRow]]
             ) -> Iterable[Problem]:
    """Children of a split or dissolved unit must be retired or re-parented by the plan
    (those of a merged or recoded unit follow their parent's successor)."""
    handled = set(retiring) | {r.from_code for r in rows if r.operation == "reparent"}
    for code, rs in retiring.items():
        r = rs[0]
        if r.operation not in ("split", "dissolve"):
            continue
        left = sorted(u.organ_id for u in units.values() if u.parent_id == code
                      and u.valid_to is None and u.organ_id not in handled)
        if left:
            shown = ", ".join(left[:10]) + (" …" if len(left) > 10 else "")
            yield Problem(r.line, code, f"children of {code} left without a parent: {shown} "
                          "(merge, dissolve or reparent them in the plan)",
                          f"đơn vị trực thuộc {code} không còn cấp trên: {shown} (hãy sáp "
                          "nhập, giải thể hoặc chuyển cấp trên trong kế hoạch)")
