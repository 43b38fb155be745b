"""Login throttling: per address, per (name, address), and the per-name alarm that tightens
without locking out, with a fake clock."""

from __future__ import annotations

import pytest

from docexchange.dashboard import throttle as throttle_module
from docexchange.dashboard.throttle import LoginThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_five_failures_for_a_name_from_one_address_block_that_pair_only() -> None:
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    for _ in range(5):
        assert throttle.admit("10.0.0.1", "admin") == 0
        clock.now += 10
    assert throttle.admit("10.0.0.1", "Admin ") == 300 - 50
    assert throttle.admit("10.0.0.1", "lan") == 0  # another name from the same address
    assert throttle.admit("10.0.0.2", "admin") == 0  # the same name from another address
    clock.now += 250
    assert throttle.admit("10.0.0.1", "admin") == 0  # the first failure left the window


def test_one_address_guessing_many_names_is_stopped() -> None:
    throttle = LoginThrottle(clock=Clock())
    for i in range(20):
        assert throttle.admit("10.0.0.1", f"name-{i}") == 0
    assert throttle.admit("10.0.0.1", "another") > 0
    assert throttle.admit("10.0.0.2", "another") == 0


def test_many_addresses_against_one_name_never_lock_out_a_fresh_address() -> None:
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    for i in range(60):  # a botnet: 60 addresses, one guess each, all wrong
        assert throttle.admit(f"10.1.0.{i}", "admin") == 0
    assert throttle.admit("192.168.1.1", "admin") == 0  # the real admin still gets a try
    throttle.succeeded("192.168.1.1", "admin")
    assert throttle.admit("10.1.0.1", "admin") > 0  # under attack: one guess per address
    assert throttle.admit("10.1.0.200", "admin") == 0


def test_a_right_password_takes_its_count_back_and_clears_the_pair() -> None:
    throttle = LoginThrottle(clock=Clock())
    for _ in range(4):
        throttle.admit("10.0.0.1", "admin")
    throttle.admit("10.0.0.1", "admin")
    throttle.succeeded("10.0.0.1", "admin")
    for _ in range(4):
        assert throttle.admit("10.0.0.1", "admin") == 0


def test_memory_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(throttle_module, "MAX_KEYS", 50)
    throttle = LoginThrottle(clock=Clock())
    for i in range(500):
        throttle.admit(f"10.0.{i // 256}.{i % 256}", f"user{i}")
    assert len(throttle._failures) <= 53
