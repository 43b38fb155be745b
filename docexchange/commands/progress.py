"""A progress bar for long transfers and exports, drawn on stderr only when it is a terminal:
piped or redirected output (scripts, `| head`, log files) never sees it."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """A one-line bar, redrawn at most ten times a second; call it with (done, total)."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self._label = label
        self._stream = stream if stream is not None else sys.stderr
        self.enabled = self._stream.isatty()
        self._drawn = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self._drawn < 0.1 and done < total):
            return
        self._drawn = now
        share = done / total if total else 1.0
        bar = "#" * int(share * 30)
        self._stream.write(f"\r{self._label} [{bar:<30}] {done}/{total} {share:4.0%}")
        self._stream.flush()

    def close(self) -> None:
        if self.enabled and self._drawn:
            self._stream.write("\n")
            self._stream.flush()
