"""Login throttling by client address and by operator name, with a fake clock."""

from __future__ import annotations

import pytest

from docexchange.dashboard import throttle as throttle_module
from docexchange.dashboard.throttle import LoginThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_five_failures_from_one_address_block_it_for_the_window() -> None:
    clock = Clock()
    throttle = LoginThrottle(max_failures=5, window_s=300, clock=clock)
    for i in range(5):
        assert throttle.retry_after("10.0.0.1", f"name-{i}") == 0
        throttle.failed("10.0.0.1", f"name-{i}")
        clock.now += 10
    assert throttle.retry_after("10.0.0.1", "another") == 300 - 50
    assert throttle.retry_after("10.0.0.2", "another") == 0
    clock.now += 250
    assert throttle.retry_after("10.0.0.1", "another") == 0  # the first failure left the window


def test_five_failures_against_one_name_block_it_from_everywhere() -> None:
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    for i in range(5):
        throttle.failed(f"10.0.0.{i}", "Admin")
    assert throttle.retry_after("192.168.1.1", "admin ") > 0
    assert throttle.retry_after("192.168.1.1", "lan") == 0


def test_a_right_password_clears_the_name_but_not_the_address() -> None:
    throttle = LoginThrottle(clock=Clock())
    for _ in range(4):
        throttle.failed("10.0.0.1", "admin")
    throttle.succeeded("admin")
    throttle.failed("10.0.0.9", "admin")
    assert throttle.retry_after("10.0.0.9", "admin") == 0
    throttle.failed("10.0.0.1", "lan")
    assert throttle.retry_after("10.0.0.1", "lan") > 0


def test_memory_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(throttle_module, "MAX_KEYS", 50)
    throttle = LoginThrottle(clock=Clock())
    for i in range(500):
        throttle.failed(f"10.0.{i // 256}.{i % 256}", f"user{i}")
    assert len(throttle._failures) <= 52
