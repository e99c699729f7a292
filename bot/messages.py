"""Neutral messages: what arrives from a chat platform and what goes back to it.

Adapters translate platform events into ``Incoming`` values and neutral ``Reply`` values into
the platform's idiom; the dialogue never sees a platform object. Plain frozen data only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ConversationKey:
    """Which conversation a message belongs to.

    ``chat`` is the chat or channel, ``thread`` the thread inside it (Slack) or None, ``user``
    the sender's platform id. With ``shared`` set (a Slack thread a review team works in),
    everyone in the thread shares one conversation; otherwise each user has their own.
    """

    platform: str
    chat: str
    user: str
    thread: str | None = None
    shared: bool = False

    def scope(self) -> tuple[str, str, str, str]:
        """The identity of the conversation's state: the user is left out when it is shared."""
        return (self.platform, self.chat, self.thread or "", "" if self.shared else self.user)


@dataclass(frozen=True)
class Photo:
    """One image as the platform delivered it (bytes are validated by the core, not here)."""

    data: bytes = field(repr=False)
    filename: str = ""
    mime: str = ""


@dataclass(frozen=True)
class PhotoMessage:
    key: ConversationKey
    photos: tuple[Photo, ...]
    caption: str = ""


@dataclass(frozen=True)
class TextMessage:
    key: ConversationKey
    text: str


@dataclass(frozen=True)
class CommandMessage:
    """``/name args``; ``name`` is lower-case without the slash (``start``, ``help``...)."""

    key: ConversationKey
    name: str
    args: str = ""


@dataclass(frozen=True)
class ButtonPress:
    """A pressed button: ``action`` says what kind (``ask``, ``consent``, ``review``, ``command``),
    ``value`` what it carries (the question, the verdict, the command name)."""

    key: ConversationKey
    action: str
    value: str = ""


Incoming = PhotoMessage | TextMessage | CommandMessage | ButtonPress


def parse_text(key: ConversationKey, text: str) -> TextMessage | CommandMessage:
    """A typed line: ``/cmd args`` (also ``/cmd@BotName``) becomes a command, anything else text."""
    stripped = text.strip()
    if stripped.startswith("/") and len(stripped) > 1 and not stripped[1].isspace():
        head, _, args = stripped[1:].partition(" ")
        name = head.split("@", 1)[0].lower()
        return CommandMessage(key, name, args.strip())
    return TextMessage(key, text)


# ----------------------------------------------------------------------------- replies


@dataclass(frozen=True)
class TextReply:
    """Plain text. ``kind`` lets an adapter style it: info, result, answer, error."""

    text: str
    kind: str = "info"


@dataclass(frozen=True)
class VerificationReply:
    """The decision, at once: adapters may show a header (decision + confidence) and the text."""

    text: str
    same_person: bool
    score: float
    threshold: float
    pic: float
    confidence: float
    faces_found: tuple[int, int]
    comparison_id: int | None = None


@dataclass(frozen=True)
class ImageReply:
    png: bytes = field(repr=False)
    caption: str = ""
    filename: str = "image.png"


@dataclass(frozen=True)
class TableReply:
    """A table: ``text`` is a ready monospace rendering; ``columns``/``rows`` the raw cells."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    text: str


@dataclass(frozen=True)
class ProgressReply:
    """Work in progress. Each one replaces the previous progress message of the conversation;
    ``done == total`` (or ``final``) means the status message can be removed or closed."""

    stage: str
    done: int
    total: int
    text: str
    final: bool = False


@dataclass(frozen=True)
class SuggestionsReply:
    """Questions the user might ask next (adapters show them as buttons or a list)."""

    questions: tuple[str, ...]
    text: str = "You can ask me, for example:"


@dataclass(frozen=True)
class ButtonsReply:
    """A prompt with buttons; each button is (label, action, value), sent back as ButtonPress."""

    text: str
    buttons: tuple[tuple[str, str, str], ...]


Reply = (
    TextReply
    | VerificationReply
    | ImageReply
    | TableReply
    | ProgressReply
    | SuggestionsReply
    | ButtonsReply
)

ReplySink = Callable[[Reply], Awaitable[None]]
"""Where the dialogue delivers replies, one at a time, in order, each exactly once."""
