"""The ops endpoint serves /healthz (200 or 503, JSON) and /metrics (Prometheus text)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

pytest.importorskip("aiohttp")
pytest.importorskip("prometheus_client")

import aiohttp  # noqa: E402

from bot.ops.metrics import Metrics  # noqa: E402
from bot.ops.server import start_ops_server  # noqa: E402
from bot.settings import load_settings  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_healthz_and_metrics_over_http(tmp_path: Path) -> None:
    port = free_port()
    settings = load_settings(model_dir=tmp_path, ops_port=port)  # no models there: unhealthy
    metrics = Metrics()
    metrics.answers.labels("grounded", "answer").inc()
    server = await start_ops_server(settings, metrics)
    assert server is not None
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                health = await response.json()
                assert response.status == 503
            async with http.get(f"http://127.0.0.1:{port}/metrics") as response:
                text = await response.text()
                assert response.status == 200
    finally:
        await server.cleanup()
    assert health["ok"] is False
    assert [c["name"] for c in health["checks"] if not c["ok"]] == ["models"]
    assert 'facexplain_answers_total{kind="answer",mode="grounded"} 1.0' in text


async def test_no_port_no_server(tmp_path: Path) -> None:
    assert await start_ops_server(load_settings(model_dir=tmp_path)) is None
