"""The console chat: lines typed (or piped) in, the dialogue's replies out.

Each line is one message: photo paths (one or two, typed or dragged in), a /command, a number
picking a suggested question, or a question. The next line is read once every reply to the
previous one, the heatmaps included, has been shown, so a script gets them in order.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path

from adapters.console.paths import photo_paths
from adapters.console.views import View
from bot.dialogue import Dialogue
from bot.messages import (
    ConversationKey,
    Incoming,
    Photo,
    PhotoMessage,
    TextMessage,
    TextReply,
    parse_text,
)

QUIT = {"/quit", "/exit", "quit", "exit", ":q"}
ReadLine = Callable[[], Awaitable[str | None]]


def read_photos(paths: list[Path]) -> tuple[Photo, ...]:
    return tuple(Photo(path.read_bytes(), path.name) for path in paths)


class ConsoleChat:
    def __init__(self, dialogue: Dialogue, view: View, key: ConversationKey) -> None:
        self.dialogue = dialogue
        self.view = view
        self.key = key

    def message(self, line: str) -> Incoming | str | None:
        """The message a line stands for, a complaint about it (str), or None (blank)."""
        text = line.strip()
        if not text:
            return None
        number = text.rstrip(".")
        if number.isdigit() and 1 <= int(number) <= len(self.view.suggestions):
            return TextMessage(self.key, self.view.suggestions[int(number) - 1])
        found, missing = photo_paths(text)
        if missing:
            return "I can't find " + ", ".join(repr(m) for m in missing) + ". Check the path."
        if found:
            try:
                return PhotoMessage(self.key, read_photos(found))
            except OSError as exc:
                return f"I can't read {exc.filename}: {exc.strerror}."
        return parse_text(self.key, text)

    async def send(self, message: Incoming) -> None:
        await self.dialogue.handle(message, self.view)
        await self.dialogue.idle(self.key)

    async def say_line(self, line: str) -> bool:
        """Handle one line; False when the user wants to leave."""
        if line.strip().lower() in QUIT:
            return False
        message = self.message(line)
        if isinstance(message, str):
            await self.view(TextReply(message, "error"))
        elif message is not None:
            await self.send(message)
        return True

    async def run(self, read_line: ReadLine, first: list[Path] | None = None, *,
                  new: bool = False) -> None:
        """Talk until the input ends or /quit. The person's last conversation goes on (its
        comparison is read back from the store) unless ``new`` or photos are given."""
        if new:
            await self.send(parse_text(self.key, "/new"))
        elif not first:
            opening = await self.dialogue.continuing(self.key)
            if opening is not None:
                await self.view(TextReply(opening))
        if first:
            await self.send(PhotoMessage(self.key, read_photos(first)))
        while True:
            line = await read_line()
            if line is None or not await self.say_line(line):
                return


class StdinLines:
    """Reads standard input on a daemon thread, one line per call (None at the end), so that
    Ctrl+C or the end of the chat never waits on a blocked read. With a prompt it uses
    ``input()`` (line editing in a terminal)."""

    def __init__(self, prompt: str | None) -> None:
        self.prompt = prompt

    def _read(self) -> str | None:
        if self.prompt is not None:
            try:
                return input(self.prompt)
            except EOFError:
                return None
        line = sys.stdin.readline()
        return line if line else None

    async def __call__(self) -> str | None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[str | None] = loop.create_future()

        def read() -> None:
            try:
                line = self._read()
            except BaseException as exc:  # noqa: BLE001 - handed to the loop as it is
                loop.call_soon_threadsafe(_settle, future, None, exc)
            else:
                loop.call_soon_threadsafe(_settle, future, line, None)

        threading.Thread(target=read, name="facexplain-stdin", daemon=True).start()
        return await future


def _settle(future: asyncio.Future[str | None], line: str | None, exc: BaseException | None) -> None:
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(line)
