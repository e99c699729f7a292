"""Text for Telegram's HTML parse mode, split within its limits.

Everything the bot says is escaped (so names with ``_``, ``*`` or ``<`` cannot break a message)
and cut into pieces that fit: 4096 characters a message, 1024 a caption. Telegram counts UTF-16
code units of the text after parsing; we count the escaped HTML with its tags, which is never
less, so every piece fits.
"""

from __future__ import annotations

import html

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024


def escape(text: str) -> str:
    return html.escape(text, quote=False)


def units(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def split(text: str, limit: int = MESSAGE_LIMIT, wrap: tuple[str, str] = ("", "")) -> list[str]:
    """Escaped pieces of ``text``, each ``wrap[0] + piece + wrap[1]`` within ``limit``; cut at
    a line break where possible, else at a space, else anywhere."""
    room = limit - units(wrap[0]) - units(wrap[1])
    pieces: list[str] = []
    rest = text
    while rest:
        cut = _fit(rest, room)
        head, rest = rest[:cut], rest[cut:]
        if rest:
            at = head.rfind("\n")
            if at <= len(head) // 2:
                at = head.rfind(" ")
            if at > len(head) // 2:
                head, rest = head[:at], head[at + 1:] + rest
        if head.strip():
            pieces.append(f"{wrap[0]}{escape(head)}{wrap[1]}")
    return pieces


def _fit(text: str, room: int) -> int:
    """The longest prefix (in characters) whose escaped form fits ``room`` units."""
    if units(escape(text)) <= room:
        return len(text)
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if units(escape(text[:middle])) <= room:
            low = middle
        else:
            high = middle - 1
    return low


def bold_first_line(text: str) -> list[str]:
    """A result: its first line in bold, the whole within the message limit."""
    first, newline, rest = text.partition("\n")
    head = f"<b>{escape(first)}</b>{newline}"
    if units(head) + units(escape(rest)) <= MESSAGE_LIMIT:
        return [head + escape(rest)]
    return split(text)


def table(title: str, text: str) -> list[str]:
    """A monospace block under a bold title; a long table continues in further blocks."""
    heading = f"<b>{escape(title)}</b>\n"
    if units(heading) > MESSAGE_LIMIT // 4:
        return [*split(title), *split(text, wrap=("<pre>", "</pre>"))]
    blocks = split(text, MESSAGE_LIMIT - units(heading), wrap=("<pre>", "</pre>"))
    return [heading + blocks[0], *blocks[1:]] if blocks else [heading.strip()]


def caption(text: str) -> tuple[str, list[str]]:
    """A photo's caption within 1024 units, and what did not fit as follow-up messages."""
    if units(escape(text)) <= CAPTION_LIMIT:
        return escape(text), []
    first = split(text, CAPTION_LIMIT)[0]
    consumed = len(html.unescape(first))
    return first, split(text[consumed:].lstrip())
