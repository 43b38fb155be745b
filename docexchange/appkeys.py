"""Typed application storage keys, declared in one place."""

from __future__ import annotations

from aiohttp import web

from docexchange.clock import Clock
from docexchange.config import Config
from docexchange.hub import Hub
from docexchange.monitor.metrics import RequestLatency

CONFIG_KEY = web.AppKey("config", Config)
HUB_KEY = web.AppKey("hub", Hub)
CLOCK_KEY = web.AppKey("clock", Clock)  # what the hub's services stamp with
REQUEST_ID_KEY = web.RequestKey("request_id", str)
CALLER_KEY = web.RequestKey("caller_organ_id", str)
# the operator dashboard's own keys are in docexchange/dashboard/keys.py
# request latency histogram of the monitor (docexchange/monitor/metrics.py)
LATENCY_KEY = web.AppKey("request_latency", RequestLatency)
