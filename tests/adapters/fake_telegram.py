"""A fake Telegram Bot API server on 127.0.0.1 (an ephemeral port), for tests and benchmarks.

Point a real client at it (python-telegram-bot: ``base_url=fake.base_url``,
``base_file_url=fake.base_file_url``). It records every request exactly as received (method,
parameters, uploaded files, HTTP status it answered), queues updates for ``getUpdates`` (long
polling honours ``offset`` and ``timeout`` as Telegram does), serves files for ``getFile`` and
their download, remembers sent messages so that ``editMessageText`` with unchanged text is
refused with "message is not modified", and can be told to fail the next calls of a method
(e.g. a 429 with ``retry_after``).

Run it in the test's own event loop (``async with FakeTelegram() as fake``) or in a thread of
its own (``fake.start_thread()`` / ``fake.stop_thread()``), e.g. for a load benchmark. Every
public method may be called from any thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "123456789:TEST-fake_token-0123456789abcdefghij"
BOT_ID = 123456789
JSON_FIELDS = frozenset({
    "chat_id", "message_id", "message_thread_id", "reply_markup", "reply_parameters", "commands",
    "allowed_updates", "offset", "limit", "timeout", "entities", "caption_entities",
    "link_preview_options", "drop_pending_updates", "max_connections", "show_alert",
    "disable_notification", "protect_content", "has_spoiler", "show_caption_above_media"})


@dataclass(frozen=True)
class Request:
    """One request as the fake received it; ``params`` are the form/JSON fields, JSON-valued
    ones decoded (``chat_id`` is an int, ``reply_markup`` a dict), text kept as sent."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(repr=False)
    status: int
    at: float
    result: Any = None  # what the fake answered (e.g. the sent Message, with its message_id)

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")

    @property
    def text(self) -> str:
        return str(self.params.get("text", self.params.get("caption", "")))


@dataclass(frozen=True)
class FileRef:
    file_id: str
    file_unique_id: str
    file_size: int
    file_path: str


class FakeTelegram:
    def __init__(self, token: str = TOKEN, username: str = "facexplain_test_bot",
                 bot_id: int = BOT_ID, max_poll_s: float = 5.0) -> None:
        self.token = token
        self.bot_user = {"id": bot_id, "is_bot": True, "first_name": "facexplain",
                         "username": username, "can_join_groups": True,
                         "can_read_all_group_messages": False, "supports_inline_queries": False}
        self.max_poll_s = max_poll_s
        self.download_delay_s = 0.0  # how long each file download takes before it starts
        self.port = 0
        self._lock = threading.Lock()
        self._requests: list[Request] = []
        self._updates: list[dict[str, Any]] = []
        self._files: dict[str, tuple[FileRef, bytes]] = {}
        self._unsized: set[str] = set()  # served chunked, without a Content-Length
        self._texts: dict[tuple[int, int], str] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._failures: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self._ids = itertools.count(1)
        # like Telegram's, update ids start at some positive number: two fakes' ids differ
        self._next_update = 100_000 + secrets.randbelow(1_000_000_000)
        self._message_ids = itertools.count(1000)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def start_thread(self) -> None:
        """Serve from a thread with its own event loop (returns once it listens)."""
        ready = threading.Event()
        loop = asyncio.new_event_loop()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self.start())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.stop())
            loop.close()

        self._thread = threading.Thread(target=serve, name="fake-telegram", daemon=True)
        self._thread.start()
        ready.wait(10)

    def stop_thread(self) -> None:
        if self._thread is not None and self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._thread = None

    # ------------------------------------------------------------------ scripting

    def user(self, user_id: int, first_name: str = "Test", username: str | None = None
             ) -> dict[str, Any]:
        found = {"id": user_id, "is_bot": False, "first_name": first_name}
        return {**found, "username": username} if username else found

    def private_chat(self, user: dict[str, Any]) -> dict[str, Any]:
        return {"id": user["id"], "type": "private", "first_name": user["first_name"]}

    def group_chat(self, chat_id: int, title: str = "Review team") -> dict[str, Any]:
        return {"id": chat_id, "type": "supergroup", "title": title}

    def message(self, chat: dict[str, Any], user: dict[str, Any], **fields: Any) -> dict[str, Any]:
        """A message from ``user`` in ``chat``; ``fields`` are Bot API Message fields (``text``,
        ``photo``, ``document``, ``caption``, ``media_group_id``, ``entities``, ...)."""
        return {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat,
                "from": user, **{k: v for k, v in fields.items() if v is not None}}

    def bot_message(self, chat: dict[str, Any], text: str) -> dict[str, Any]:
        return self.message(chat, self.bot_user, text=text)

    def push(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates (an ``update_id`` is given unless it has one)."""
        with self._lock:
            update = {"update_id": self._next_update, **update}
            self._next_update = max(self._next_update, int(update["update_id"])) + 1
            self._updates.append(update)
            for key in ("message", "callback_query"):
                chat = (update.get(key) or {}).get("chat") or \
                    ((update.get(key) or {}).get("message") or {}).get("chat")
                if chat:
                    self._chats[chat["id"]] = chat
        self._notify()
        return int(update["update_id"])

    def push_message(self, chat: dict[str, Any], user: dict[str, Any], **fields: Any) -> int:
        return self.push({"message": self.message(chat, user, **fields)})

    def push_button(self, chat: dict[str, Any], user: dict[str, Any], data: str) -> int:
        return self.push({"callback_query": {
            "id": str(next(self._ids)), "from": user, "chat_instance": "1", "data": data,
            "message": self.bot_message(chat, "(a message with buttons)")}})

    def add_file(self, data: bytes, *, size: int | None = None, suffix: str = "jpg",
                 chunked: bool = False) -> FileRef:
        """A file the fake can serve; ``size`` is what Telegram declares (default: the truth);
        ``chunked`` serves it without a Content-Length header."""
        number = next(self._ids)
        ref = FileRef(f"file-{number}", f"uniq-{number}", len(data) if size is None else size,
                      f"files/file_{number}.{suffix}")
        with self._lock:
            self._files[ref.file_id] = (ref, data)
            if chunked:
                self._unsized.add(ref.file_path)
        return ref

    def photo(self, data: bytes, width: int = 250, height: int = 250) -> list[dict[str, Any]]:
        """The ``photo`` field of a message: a small thumbnail and the full-size photo."""
        thumb = self.add_file(data[: max(1, len(data) // 20)])
        full = self.add_file(data)
        return [{"file_id": r.file_id, "file_unique_id": r.file_unique_id, "file_size": r.file_size,
                 "width": w, "height": h} for r, w, h in ((thumb, 90, 90), (full, width, height))]

    def document(self, data: bytes, file_name: str, mime_type: str, size: int | None = None,
                 chunked: bool = False) -> dict[str, Any]:
        ref = self.add_file(data, size=size, suffix=file_name.rsplit(".", 1)[-1], chunked=chunked)
        return {"file_id": ref.file_id, "file_unique_id": ref.file_unique_id,
                "file_size": ref.file_size, "file_name": file_name, "mime_type": mime_type}

    def fail(self, method: str, *, status: int = 429, retry_after: int = 1, times: int = 1,
             description: str | None = None) -> None:
        """The next ``times`` calls of ``method`` are refused with ``status``."""
        body: dict[str, Any] = {"ok": False, "error_code": status}
        if status == 429:
            body["description"] = description or f"Too Many Requests: retry after {retry_after}"
            body["parameters"] = {"retry_after": retry_after}
        else:
            body["description"] = description or "Bad Request: injected failure"
        with self._lock:
            self._failures.setdefault(method.lower(), []).extend([(status, body)] * times)

    # ------------------------------------------------------------------ what was received

    @property
    def requests(self) -> list[Request]:
        with self._lock:
            return list(self._requests)

    def calls(self, *methods: str) -> list[Request]:
        wanted = {m.lower() for m in methods}
        return [r for r in self.requests if r.method.lower() in wanted]

    def delivered(self, chat_id: int | None = None) -> list[Request]:
        """Successful sendMessage / sendPhoto / editMessageText calls, in order."""
        return [r for r in self.calls("sendMessage", "sendPhoto", "editMessageText")
                if r.status == 200 and (chat_id is None or r.chat_id == chat_id)]

    @property
    def downloads(self) -> list[str]:
        return [r.params["path"] for r in self.calls("download")]

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 30.0,
                         what: str = "the condition") -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
            await asyncio.sleep(0.02)

    # ------------------------------------------------------------------ the server

    def _notify(self) -> None:
        if self._loop is not None and self._wake is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    def _record(self, method: str, params: dict[str, Any], files: dict[str, bytes],
                status: int, result: Any = None) -> None:
        with self._lock:
            self._requests.append(Request(method, params, files, status, time.monotonic(),
                                          result))

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params, files = await _read_params(request)
        if request.match_info["token"] != self.token:
            self._record(method, params, files, 401)
            return _json({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        with self._lock:
            queued = self._failures.get(method.lower())
            failure = queued.pop(0) if queued else None
        if failure is not None:
            self._record(method, params, files, failure[0])
            return _json(failure[1], failure[0])
        handler = getattr(self, f"_m_{method.lower()}", None)
        status, body = await handler(params, files) if handler else (200, True)
        self._record(method, params, files, status, body)
        if status != 200:
            return _json({"ok": False, "error_code": status, "description": body}, status)
        return _json({"ok": True, "result": body})

    async def _download(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        with self._lock:
            found = [data for ref, data in self._files.values() if ref.file_path == path]
        with self._lock:  # fail("download", status=502) refuses the next downloads
            queued = self._failures.get("download")
            failure = queued.pop(0) if queued else None
        if failure is not None:
            self._record("download", {"path": path}, {}, failure[0])
            return web.Response(status=failure[0])
        ok = request.match_info["token"] == self.token and bool(found)
        if self.download_delay_s:
            await asyncio.sleep(self.download_delay_s)
        self._record("download", {"path": path}, {}, 200 if ok else 404)
        if not ok:
            return web.Response(status=404)
        if path not in self._unsized:
            return web.Response(body=found[0])
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        with contextlib.suppress(ConnectionError):  # the client may hang up half-way
            for start in range(0, len(found[0]), 64 * 1024):
                await response.write(found[0][start:start + 64 * 1024])
            await response.write_eof()
        return response

    async def _m_getme(self, params: dict[str, Any], files: dict[str, bytes]) -> tuple[int, Any]:
        return 200, self.bot_user

    async def _m_getupdates(self, params: dict[str, Any], files: dict[str, bytes]
                            ) -> tuple[int, Any]:
        offset, limit = int(params.get("offset") or 0), int(params.get("limit") or 100)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), self.max_poll_s)
        assert self._wake is not None
        while True:
            with self._lock:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = self._updates[:limit]
                if not ready:
                    self._wake.clear()
            left = deadline - time.monotonic()
            if ready or left <= 0:
                return 200, ready
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), left)

    async def _m_getfile(self, params: dict[str, Any], files: dict[str, bytes]) -> tuple[int, Any]:
        with self._lock:
            found = self._files.get(str(params.get("file_id")))
        if found is None:
            return 400, "Bad Request: invalid file_id"
        ref = found[0]
        if ref.file_size > 20 * 1024 * 1024:
            return 400, "Bad Request: file is too big"
        return 200, {"file_id": ref.file_id, "file_unique_id": ref.file_unique_id,
                     "file_size": ref.file_size, "file_path": ref.file_path}

    def _sent(self, chat_id: Any, **content: Any) -> dict[str, Any]:
        chat = self._chats.get(int(chat_id), {"id": int(chat_id), "type": "private"})
        return {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat,
                "from": self.bot_user, **content}

    async def _m_sendmessage(self, params: dict[str, Any], files: dict[str, bytes]
                             ) -> tuple[int, Any]:
        sent = self._sent(params["chat_id"], text=params.get("text", ""))
        with self._lock:
            self._texts[(int(params["chat_id"]), sent["message_id"])] = sent["text"]
        return 200, sent

    async def _m_sendphoto(self, params: dict[str, Any], files: dict[str, bytes]
                           ) -> tuple[int, Any]:
        ref = self.add_file(files.get("photo", b""))
        return 200, self._sent(params["chat_id"], caption=params.get("caption", ""), photo=[{
            "file_id": ref.file_id, "file_unique_id": ref.file_unique_id, "width": 1280,
            "height": 720, "file_size": ref.file_size}])

    async def _m_editmessagetext(self, params: dict[str, Any], files: dict[str, bytes]
                                 ) -> tuple[int, Any]:
        where = (int(params["chat_id"]), int(params["message_id"]))
        with self._lock:
            before = self._texts.get(where)
            if before is None:
                return 400, "Bad Request: message to edit not found"
            if before == params.get("text"):
                return 400, ("Bad Request: message is not modified: specified new message "
                             "content and reply markup are exactly the same as a previous "
                             "message content and reply markup of a message")
            self._texts[where] = str(params.get("text"))
        return 200, {**self._sent(where[0], text=params.get("text")), "message_id": where[1]}


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
    params: dict[str, Any] = dict(request.query)
    files: dict[str, bytes] = {}
    if request.content_type == "application/json":
        params.update(await request.json())
        return params, files
    if request.can_read_body:
        for name, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                files[name] = value.file.read()
            else:
                params[name] = str(value)
    for name in JSON_FIELDS & params.keys():
        if isinstance(params[name], str):
            with contextlib.suppress(ValueError):
                params[name] = json.loads(params[name])
    return params, files


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(body, status=status)
