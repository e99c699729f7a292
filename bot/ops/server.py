"""The ops endpoint: ``/healthz`` (the health checks as JSON, 200 or 503) and ``/metrics``
(Prometheus text format), on ``FACEXPLAIN_OPS_HOST:FACEXPLAIN_OPS_PORT``. Off unless the
port is set; aiohttp (the telegram and slack extras) is imported only when it is."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from bot.ops.health import run_checks
from bot.ops.metrics import Metrics, available, process_metrics
from bot.settings import Settings

if TYPE_CHECKING:
    from aiohttp import web

log = logging.getLogger(__name__)


def ops_metrics(settings: Settings) -> Metrics | None:
    """This process's metrics when the ops endpoint is on and prometheus-client installed."""
    if settings.ops_port is None:
        return None
    if not available():
        log.warning("FACEXPLAIN_OPS_PORT is set but prometheus-client is not installed "
                    "(pip install 'facexplain[scale]'): /metrics is off")
        return None
    return process_metrics()


def ops_app(settings: Settings, metrics: Metrics | None) -> web.Application:
    from aiohttp import web

    async def healthz(_request: web.Request) -> web.Response:
        report = await asyncio.to_thread(run_checks, lambda: settings)
        return web.Response(text=report.to_json(), status=200 if report.ok else 503,
                            content_type="application/json")

    async def metrics_text(_request: web.Request) -> web.Response:
        if metrics is None:
            return web.Response(status=404, text="metrics are off (install prometheus-client)\n")
        body, content_type = metrics.exposition()
        return web.Response(body=body, headers={"Content-Type": content_type})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_text)
    return app


async def start_ops_server(settings: Settings, metrics: Metrics | None = None) -> web.AppRunner | None:
    """Listen when ``settings.ops_port`` is set (None otherwise); stop with ``cleanup()``."""
    if settings.ops_port is None:
        return None
    from aiohttp import web

    runner = web.AppRunner(ops_app(settings, metrics or ops_metrics(settings)), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.ops_host, settings.ops_port).start()
    log.info("ops endpoint on http://%s:%d (/healthz, /metrics)", settings.ops_host, settings.ops_port)
    return runner
