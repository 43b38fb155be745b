"""The secrecy guard's cost: per ordinary packet, and on a multi-megabyte text.

Prints numbers; asserts nothing. Usage:
    .venv/bin/python bench/bench_secrecy.py [--megabytes 40]
Builds packets in memory (the project's own builder), then times packet_marks (the walk of the
tree and the rule on every text) against parse_root on an ordinary packet, and packet_marks on
a packet whose Appendix holds MEGABYTES of Vietnamese text with "mật" on every line (the worst
case: every line is a candidate), in plain Vietnamese and in NFD (the full Unicode path).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import timeit
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lxml import etree  # noqa: E402

from docexchange.edxml import Organization, build_document, new_document  # noqa: E402
from docexchange.edxml.layout import q  # noqa: E402
from docexchange.edxml.parser import parse_root, parse_xml  # noqa: E402
from docexchange.exchange.secrecy_fields import packet_marks  # noqa: E402

LINE = "Số liệu thống kê dân số, mật độ dân cư và diện tích năm 2018 của các xã.\n"


def _packet() -> bytes:
    packet = new_document(
        sender=Organization(organ_id="000.00.00.H45", organ_name="UBND tỉnh Phú Yên"),
        recipients=[Organization(organ_id="000.00.12.H45", organ_name="Sở Nội vụ")],
        code_number="12", code_notation="UBND-VP", subject="V/v báo cáo số liệu dân số",
        priority=0, files=[("bao-cao.pdf", b"%PDF-1.4 bench")],
        now=dt.datetime(2026, 11, 28, 9, 0, 0), type_name="Công văn")
    return build_document(packet)


def _per_packet() -> None:
    root = parse_xml(_packet())
    number = 2000
    for name, job in (("packet_marks", lambda: packet_marks(root)),
                      ("parse_root", lambda: parse_root(root))):
        best = min(timeit.repeat(job, number=number, repeat=5)) / number
        print(f"ordinary packet: {name:<13} {best * 1e6:7.1f} µs")


def _large(megabytes: int, form: str) -> None:
    root = parse_xml(_packet())
    other_info = root.find(f".//{q('OtherInfo')}")
    assert other_info is not None
    appendix = etree.SubElement(etree.SubElement(other_info, q("Appendixes")), q("Appendix"))
    text = LINE * (megabytes * 1024 * 1024 // len(LINE.encode()))
    appendix.text = unicodedata.normalize(form, text)
    start = time.perf_counter()
    found = packet_marks(root)
    seconds = time.perf_counter() - start
    print(f"{megabytes} MB Appendix ({form}): packet_marks {seconds:5.2f} s "
          f"({megabytes / seconds:5.1f} MB/s), {len(found)} marks")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=40)
    args = parser.parse_args(argv)
    _per_packet()
    _large(args.megabytes, "NFC")
    _large(args.megabytes, "NFD")


if __name__ == "__main__":
    main()
