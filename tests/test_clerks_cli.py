"""Issue 13, the clerks' command line against a real hub on a real port: groups, saved
receipts, the id `status` takes, help in both languages, errors in Vietnamese too, a quiet
end when the reader of a pipe goes away, a progress bar on a terminal only."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from docexchange.cli import main, parse_args
from tests.test_client import PROVINCE, cli, hub_url  # noqa: F401 - hub_url is a fixture

VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹàáèéìíòóùúý]")


async def test_send_to_a_group_saves_a_receipt_that_verifies(
        hub_env: Any, hub_url: str, tmp_path: Path,  # noqa: F811
        capsys: pytest.CaptureFixture[str]) -> None:
    pdf = tmp_path / "ke-hoach.pdf"
    pdf.write_bytes(b"%PDF-1.4 ke hoach\n")
    receipt_file = tmp_path / "receipt.json"
    code, out = await cli(capsys, hub_env, hub_url, "send", "--as", PROVINCE,
                          "--to", "ALL-DISTRICTS", "--subject", "V/v gửi các huyện",
                          "--receipt", str(receipt_file), str(pdf))
    assert code == 0, out
    receipt = json.loads(receipt_file.read_text(encoding="utf-8"))
    assert receipt == json.loads(out)
    [routing] = receipt["routing"]
    assert (routing["requested"], routing["via"]) == ("ALL-DISTRICTS", "group")
    assert {r["organ_id"] for r in receipt["recipients"]} == set(routing["resolved"])
    districts = {u["organ_id"] for u in hub_env_units(hub_env) if u["kind"] == "district"}
    assert set(routing["resolved"]) == districts
    code = await asyncio.to_thread(main, ["receipt", "verify", str(receipt_file), "--hub-cert",
                                          str(hub_env.config.keys.dir / "hub-certs")])
    assert code == 0 and capsys.readouterr().out.startswith("OK")


def hub_env_units(hub_env: Any) -> list[dict[str, str]]:
    import csv
    with hub_env.config.directory.demo_csv.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


async def test_inbox_prints_the_id_that_status_takes(
        hub_env: Any, hub_url: str, tmp_path: Path,  # noqa: F811
        capsys: pytest.CaptureFixture[str]) -> None:
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    code, out = await cli(capsys, hub_env, hub_url, "send", "--as", PROVINCE, "--to",
                          "000.00.12.H45", "--subject", "V/v thử", "--urgent", "2", str(pdf))
    message_id = json.loads(out)["message_id"]
    code, out = await cli(capsys, hub_env, hub_url, "inbox", "--as", "000.00.12.H45")
    [line] = out.splitlines()
    assert line.split()[0] == message_id and line.endswith("[thượng khẩn]")
    code, out = await cli(capsys, hub_env, hub_url, "status", "--as", "000.00.12.H45",
                          line.split()[0], "03")
    assert code == 0 and json.loads(out)["status_code"] == "03"
    code, out = await cli(capsys, hub_env, hub_url, "inbox", "--as", PROVINCE)
    assert any(" status " in x and "03 đã tiếp nhận" in x for x in out.splitlines()), out


def _help_texts(parser: argparse.ArgumentParser, where: str) -> list[tuple[str, str]]:
    """(where, text) of every help text argparse shows in the whole tree under `parser`: each
    command's line and description, each option and argument (-h too), each section title."""
    found = [(f"{where} (description)", parser.description or ""),
             (f"{where} (title)", parser._positionals.title or ""),
             (f"{where} (title)", parser._optionals.title or "")]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            group = next(g for g in parser._action_groups if action in g._group_actions)
            found.append((f"{where} (commands title)", group.title or ""))
            helps = {c.dest: c.help or "" for c in action._choices_actions}
            for name, child in action.choices.items():
                found.append((f"{where} {name}", helps[name]))
                found += _help_texts(child, f"{where} {name}")
        elif action.help != argparse.SUPPRESS:
            found.append((f"{where} {'/'.join(action.option_strings) or action.dest}",
                          action.help or ""))
    return found


def _both_languages(text: str) -> bool:
    """"Vietnamese / English": diacritics before the last slash, English words after it,
    with no Vietnamese letters but in a parenthesised gloss ("the subject (trích yếu)")."""
    vi, slash, en = text.rpartition(" / ")
    en = re.sub(r"\([^)]*\)", "", en)
    return bool(slash and VIETNAMESE.search(vi) and re.search(r"\b[a-z]{3,}\b", en)
                and not VIETNAMESE.search(en))


def test_every_command_and_option_has_help_in_both_languages() -> None:
    """The whole tree, so that a command or option added later without both languages fails
    here (issue 13)."""
    texts = _help_texts(_parser(), "docexchange")
    assert len(texts) > 150  # every command of cli.COMMANDS is walked, not only the clerks'
    missing = [(where, text) for where, text in texts if not _both_languages(text)]
    assert missing == []


def test_the_help_check_refuses_one_language() -> None:
    assert _both_languages("danh bạ đơn vị / the unit directory")
    for text in ("the unit directory", "danh bạ đơn vị", "danh bạ / danh bạ đơn vị",
                 "the units / the unit directory", ""):
        assert not _both_languages(text), text


def _parser() -> argparse.ArgumentParser:
    captured: dict[str, argparse.ArgumentParser] = {}
    original = argparse.ArgumentParser.parse_args

    def grab(self: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> Any:
        captured["parser"] = self
        return original(self, *args, **kwargs)
    argparse.ArgumentParser.parse_args = grab  # type: ignore[method-assign]
    try:
        parse_args(["inbox", "--as", PROVINCE])
    finally:
        argparse.ArgumentParser.parse_args = original  # type: ignore[method-assign]
    return captured["parser"]


async def test_hub_errors_are_printed_in_vietnamese_too(
        hub_env: Any, hub_url: str, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    code = await asyncio.to_thread(main, ["--config", str(hub_env.config_path), "inbox",
                                          "--as", PROVINCE, "--url", hub_url,
                                          "--api-key", "dx_000000000000_wrong"])
    lines = [x for x in capsys.readouterr().err.splitlines() if "DX_UNAUTHENTICATED:" in x]
    vi, en = lines  # the in-process hub's access log shares stderr
    assert code == 1
    assert vi.startswith("lỗi DX_UNAUTHENTICATED: ") and VIETNAMESE.search(vi)
    assert en.startswith("error DX_UNAUTHENTICATED: ")


def test_output_piped_into_a_closed_reader_ends_quietly(hub_env: Any) -> None:
    """`docexchange units list | head -0`: the reader is gone before the first line."""
    proc = subprocess.Popen([sys.executable, "-m", "docexchange", "--config",
                             str(hub_env.config_path), "units", "list"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    with proc.stderr:
        err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert "Traceback" not in err and "BrokenPipe" not in err, err


async def test_a_long_send_shows_a_progress_bar_on_a_terminal_only(
        hub_env: Any, hub_url: str, tmp_path: Path,  # noqa: F811
        capsys: pytest.CaptureFixture[str]) -> None:
    big = tmp_path / "ban-do.pdf"
    big.write_bytes(os.urandom(3 * 1024 * 1024))
    argv = ["--config", str(hub_env.config_path), "send", "--url", hub_url, "--as", PROVINCE,
            "--to", "000.00.12.H45", "--subject", "V/v bản đồ", "--number", "9101",
            "--no-sign", str(big)]
    master, slave = pty.openpty()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "docexchange", *argv, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    out, _ = await proc.communicate()
    terminal = _drain(master)
    assert proc.returncode == 0, terminal
    assert "gửi / send [" in terminal and "100%" in terminal
    assert json.loads(out)["size"] > 3 * 1024 * 1024
    code, _ = await cli(capsys, hub_env, hub_url, "send", "--as", PROVINCE, "--to",
                        "000.00.12.H45", "--subject", "V/v bản đồ 2", "--number", "9102",
                        "--no-sign", str(big))
    err = capsys.readouterr().err
    assert code == 0, err
    assert "send [" not in err  # not a terminal: no bar


def _drain(fd: int) -> str:
    chunks = []
    try:
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    except OSError:  # EIO once the child's side is closed and everything was read
        pass
    finally:
        os.close(fd)
    return b"".join(chunks).decode("utf-8", "replace")
