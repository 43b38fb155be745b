"""Which recipient codes belong to which other hub.

Patterns: a code is split on dots and `*` stands for exactly one part (`*.*.*.H17` is every
four-part code of province H17); `"*unknown*"` is every code not in our directory. Only codes
our directory does not know are ever relayed: a local unit is always served here.

RELAY_ORIGIN names the hub a packet is arriving from while it is accepted (the poller and the
relay API set it), so that its other recipients on that same hub are not sent back to it.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable
from fnmatch import fnmatchcase

from docexchange.config import Config
from docexchange.directory.service import Directory

UNKNOWN = "*unknown*"
RELAY_ORIGIN: contextvars.ContextVar[str | None] = contextvars.ContextVar("relay_origin",
                                                                         default=None)


def matches(pattern: str, code: str, *, known: bool) -> bool:
    if pattern == UNKNOWN:
        return not known
    want, have = pattern.split("."), code.split(".")
    return len(want) == len(have) and all(fnmatchcase(h, w) for w, h in zip(want, have,
                                                                              strict=True))


def matches_any(patterns: Iterable[str], code: str, *, known: bool) -> bool:
    return any(matches(p, code, known=known) for p in patterns)


class RelayRoutes:
    def __init__(self, config: Config, directory: Directory) -> None:
        self.upstreams = config.upstream
        self.downstreams = config.downstream
        self._directory = directory

    def is_local(self, code: str) -> bool:
        return self._directory.lookup(code) is not None

    def downstream_for(self, code: str) -> str | None:
        if self.is_local(code):
            return None
        for down in self.downstreams:
            if matches_any(down.serves, code, known=False):
                return down.name
        return None

    def upstream_for(self, code: str) -> str | None:
        if self.is_local(code) or self.downstream_for(code):
            return None
        for up in self.upstreams:
            if matches_any(up.recipients, code, known=False):
                return up.name
        return None

    def route_for(self, code: str) -> str | None:
        """The hub a code not in our directory is routed to; None: the code is unknown
        (refused as before)."""
        return self.downstream_for(code) or self.upstream_for(code)

    @staticmethod
    def arriving_from(name: str) -> bool:
        """The packet being accepted comes from hub `name`: its recipients there already
        have it, and are not routed back."""
        return RELAY_ORIGIN.get() == name

    def downstream_account(self, account: str) -> str | None:
        for down in self.downstreams:
            if down.account == account:
                return down.name
        return None

    def speaks_for(self, hub_name: str, code: str) -> bool:
        """May hub `hub_name` bring packets From `code`? Only for codes it serves, never for
        our own units."""
        if self.is_local(code):
            return False
        for down in self.downstreams:
            if down.name == hub_name:
                return matches_any(down.serves, code, known=False)
        for up in self.upstreams:
            if up.name == hub_name:
                return matches_any(up.recipients, code, known=False)
        return False
