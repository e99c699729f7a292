"""Open a page in real headless Chromium (Debian's package) over the DevTools protocol: record
every network request, read what the page's images loaded, and take a screenshot."""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def chromium_binary() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class PageVisit:
    requests: list[str] = field(default_factory=list)  # every URL the page asked for
    failed: list[str] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)  # complete, naturalWidth, alt
    title: str = ""
    screenshot: bytes = b""


def _devtools_port(profile: Path, deadline: float) -> int:
    marker = profile / "DevToolsActivePort"
    while time.monotonic() < deadline:
        if marker.is_file() and marker.read_text().strip():
            return int(marker.read_text().split()[0])
        time.sleep(0.1)
    raise TimeoutError("Chromium did not open its DevTools port")


async def _visit(ws_url: str, url: str, width: int, timeout_s: float) -> PageVisit:
    import aiohttp

    visit = PageVisit()
    ids = iter(range(1, 10_000))
    async with aiohttp.ClientSession() as http, http.ws_connect(ws_url, max_msg_size=0) as ws:
        loaded = asyncio.Event()
        pending: dict[int, asyncio.Future[Any]] = {}

        async def reader() -> None:
            async for msg in ws:
                data = json.loads(msg.data)
                if "id" in data and data["id"] in pending:
                    pending.pop(data["id"]).set_result(data.get("result", {}))
                elif data.get("method") == "Network.requestWillBeSent":
                    visit.requests.append(data["params"]["request"]["url"])
                elif data.get("method") == "Network.loadingFailed":
                    visit.failed.append(data["params"].get("errorText", ""))
                elif data.get("method") == "Page.loadEventFired":
                    loaded.set()

        async def call(method: str, **params: Any) -> Any:
            number = next(ids)
            pending[number] = asyncio.get_running_loop().create_future()
            await ws.send_str(json.dumps({"id": number, "method": method, "params": params}))
            return await asyncio.wait_for(pending[number], timeout_s)

        task = asyncio.create_task(reader())
        await call("Network.enable")
        await call("Page.enable")
        await call("Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1, mobile=False)
        await call("Page.navigate", url=url)
        await asyncio.wait_for(loaded.wait(), timeout_s)
        result = await call("Runtime.evaluate", returnByValue=True, expression=(
            "JSON.stringify({title: document.title, images: Array.from(document.images).map("
            "i => ({complete: i.complete, naturalWidth: i.naturalWidth, alt: i.alt}))})"))
        page = json.loads(result["result"]["value"])
        visit.title, visit.images = page["title"], page["images"]
        shot = await call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        visit.screenshot = base64.b64decode(shot["data"])
        task.cancel()
    return visit


def visit(path: Path, *, width: int = 1200, timeout_s: float = 60.0) -> PageVisit:
    """Open ``path`` (a local file) in headless Chromium and report what happened."""
    binary = chromium_binary()
    assert binary is not None, "chromium is not installed"
    with tempfile.TemporaryDirectory(prefix="fx-chromium-") as profile:
        process = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-extensions", "--disable-background-networking", "--remote-debugging-port=0",
             f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            port = _devtools_port(Path(profile), time.monotonic() + timeout_s)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=timeout_s) as r:
                pages = [t for t in json.load(r) if t.get("type") == "page"]
            return asyncio.run(_visit(pages[0]["webSocketDebuggerUrl"], path.resolve().as_uri(), width, timeout_s))
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
