"""A fake Slack on 127.0.0.1 for the real slack_sdk/slack-bolt clients: the Web API methods
the assistant uses (under ``/api/``), private file downloads, the upload URLs of
``files_upload_v2`` and a Socket Mode WebSocket. It records what it received, so tests assert
on exactly what reached "Slack".

Like Slack, it answers a file request without the bot token with an HTML sign-in page (status
200), answers 429 with ``Retry-After`` when told to, and checks that every completed upload
was uploaded first. Told to, it fails like a gateway: a 5xx for the next calls of a method or
the next POSTs to upload URLs, or a hang past the client's time-out (``fail``).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

BOT_TOKEN = "xoxb-fake-bot-token"
APP_TOKEN = "xapp-fake-app-token"
BOT_USER, BOT_ID, TEAM = "UFACEX", "BFACEX", "T0FAKE"
LOGIN_PAGE = b"<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in</body></html>"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    at: float = field(default_factory=time.monotonic)  # when it came


@dataclass(frozen=True)
class Fault:
    status: int = 502
    hang_s: float = 0.0  # first wait this long (longer than the client's time-out: a hang)


@dataclass
class HostedFile:
    data: bytes
    mimetype: str
    login_page: bool = False  # always answer with the sign-in page (a missing files:read)
    chunked: bool = False  # streamed without a Content-Length
    requests: int = 0  # GETs of the file
    downloads: int = 0  # GETs answered with the file itself


@dataclass
class FakeSlack:
    url: str = ""
    calls: list[Call] = field(default_factory=list)
    refused: list[Call] = field(default_factory=list)  # answered 429
    uploads: dict[str, bytes] = field(default_factory=dict)
    files: dict[str, HostedFile] = field(default_factory=dict)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)  # by ts, as now shown
    acks: list[dict[str, Any]] = field(default_factory=list)
    failed: list[tuple[str, int]] = field(default_factory=list)  # (method or "upload", status)
    _faults: dict[str, list[Fault]] = field(default_factory=dict)
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)
    _limits: dict[str, int] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    _socket: web.WebSocketResponse | None = None
    _acked: dict[str, asyncio.Event] = field(default_factory=dict)

    # ------------------------------------------------------------------ control

    async def start(self) -> FakeSlack:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/files-pri/{team}-{file_id}/{name}", self._download)
        app.router.add_get("/socket", self._websocket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        self._stopping.set()  # hanging answers end now
        if self._socket is not None:
            await self._socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def rate_limit(self, method: str, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with 429 and ``Retry-After: 0``."""
        self._limits[method] = times

    def fail(self, method: str, times: int = 1, status: int = 502, hang_s: float = 0.0) -> None:
        """Answer the next ``times`` calls of ``method`` ("upload": POSTs to the upload URLs,
        "download": file GETs) with ``status`` and a gateway's HTML page, after ``hang_s``
        seconds."""
        self._faults.setdefault(method, []).extend([Fault(status, hang_s)] * times)

    async def _injected(self, target: str) -> web.Response | None:
        planned = self._faults.get(target)
        if not planned:
            return None
        fault = planned.pop(0)
        self.failed.append((target, fault.status))
        if fault.hang_s:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), fault.hang_s)
        return web.Response(status=fault.status, content_type="text/html",
                            text=f"<html><body>{fault.status} Bad Gateway</body></html>")

    def host_file(self, data: bytes, name: str, mimetype: str, *, size: int | None = None,
                  login_page: bool = False, chunked: bool = False) -> dict[str, Any]:
        """Keep a file and return its object as Slack puts it in a message event (``size``
        overrides the declared size)."""
        file_id = f"F{next(self._ids):06d}"
        self.files[file_id] = HostedFile(data, mimetype, login_page, chunked)
        url = f"{self.url}/files-pri/{TEAM}-{file_id}/{name}"
        return {"id": file_id, "name": name, "title": name, "mimetype": mimetype,
                "filetype": name.rsplit(".", 1)[-1], "size": len(data) if size is None else size,
                "mode": "hosted", "url_private": url, "url_private_download": f"{url}?dl=1"}

    def to(self, method: str, **where: Any) -> list[Call]:
        """The calls of ``method`` whose arguments include ``where``."""
        return [c for c in self.calls if c.method == method
                and all(c.args.get(k) == v for k, v in where.items())]

    def posted_texts(self, channel: str | None = None) -> list[str]:
        return [c.args.get("text", "") for c in self.to("chat.postMessage")
                if channel is None or c.args.get("channel") == channel]

    async def push(self, payload: dict[str, Any], kind: str = "events_api",
                   retry_attempt: int | None = None, timeout: float = 10.0) -> dict[str, Any]:
        """Send one Socket Mode envelope and wait for the client's acknowledgement."""
        assert self._socket is not None, "no Socket Mode client connected"
        envelope_id = f"env-{next(self._ids)}"
        envelope: dict[str, Any] = {"envelope_id": envelope_id, "type": kind, "payload": payload,
                                    "accepts_response_payload": kind != "events_api"}
        if retry_attempt is not None:
            envelope |= {"retry_attempt": retry_attempt, "retry_reason": "timeout"}
        acked = self._acked[envelope_id] = asyncio.Event()
        await self._socket.send_json(envelope)
        await asyncio.wait_for(acked.wait(), timeout)
        return next(a for a in self.acks if a.get("envelope_id") == envelope_id)

    async def connected(self, timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout):
            while self._socket is None:
                await asyncio.sleep(0.01)

    # ------------------------------------------------------------------ Web API

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)  # slack_sdk sends ``params`` this way
        if request.content_type == "application/json":
            args |= await request.json()
        else:
            args |= dict(await request.post())
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        call = Call(method, args)
        if (failure := await self._injected(method)) is not None:
            return failure
        if self._limits.get(method, 0) > 0:
            self._limits[method] -= 1
            self.refused.append(call)
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                     headers={"Retry-After": "0"})
        expected = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if token != expected:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        self.calls.append(call)
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        return web.json_response({"ok": True, **handler(args)})

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"url": "https://fake.slack.com/", "team": "Fake", "user": "facexplain",
                "team_id": TEAM, "user_id": BOT_USER, "bot_id": BOT_ID}

    def _ts(self) -> str:
        return f"1700000000.{next(self._ids):06d}"

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        ts = self._ts()
        args["ts"] = ts  # recorded with the call, so tests can press its buttons
        message = {"type": "message", "user": BOT_USER, "bot_id": BOT_ID, "ts": ts,
                   "text": args.get("text", ""), "blocks": args.get("blocks", [])}
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        self.messages[ts] = message
        return {"channel": args.get("channel"), "ts": ts, "message": message}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        shown = self.messages.get(args.get("ts", ""))
        if shown is not None:
            shown.update(text=args.get("text", ""), blocks=args.get("blocks", []))
        return {"channel": args.get("channel"), "ts": args.get("ts"), "text": args.get("text")}

    def _chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"message_ts": self._ts()}

    def _files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        file_id = f"FUP{next(self._ids):06d}"
        return {"upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    def _files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        files = json.loads(args["files"])
        missing = [f["id"] for f in files if f["id"] not in self.uploads]
        assert not missing, f"completed before uploading: {missing}"
        return {"files": [{"id": f["id"], "title": f.get("title", "")} for f in files]}

    def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.url.replace("http://", "ws://") + "/socket"}

    # ------------------------------------------------------------------ files and uploads

    async def _upload(self, request: web.Request) -> web.Response:
        if (failure := await self._injected("upload")) is not None:
            return failure
        self.uploads[request.match_info["file_id"]] = await request.read()
        return web.Response(text=f"OK - {len(self.uploads[request.match_info['file_id']])}")

    async def _download(self, request: web.Request) -> web.StreamResponse:
        hosted = self.files.get(request.match_info["file_id"])
        if hosted is None:
            return web.Response(status=404)
        hosted.requests += 1
        if (failure := await self._injected("download")) is not None:
            return failure
        authorised = request.headers.get("Authorization") == f"Bearer {BOT_TOKEN}"
        if hosted.login_page or not authorised:
            return web.Response(body=LOGIN_PAGE, content_type="text/html")
        hosted.downloads += 1
        if not hosted.chunked:
            return web.Response(body=hosted.data, content_type=hosted.mimetype)
        stream = web.StreamResponse()
        stream.content_type = hosted.mimetype
        stream.enable_chunked_encoding()
        await stream.prepare(request)
        with contextlib.suppress(ConnectionError):  # the client may stop reading early
            for start in range(0, len(hosted.data), 64 * 1024):
                await stream.write(hosted.data[start:start + 64 * 1024])
            await stream.write_eof()
        return stream

    # ------------------------------------------------------------------ Socket Mode

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self._socket = socket
        await socket.send_json({"type": "hello", "num_connections": 1,
                                "connection_info": {"app_id": "AFAKE"}})
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                ack = json.loads(message.data)
                self.acks.append(ack)
                event = self._acked.get(ack.get("envelope_id", ""))
                if event is not None:
                    event.set()
        if self._socket is socket:
            self._socket = None
        return socket
