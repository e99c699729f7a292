"""Neutral replies -> the terminal: a readable view with a progress bar for people, one line
per reply for scripts, or one JSON object per reply (``--json``).

Images are never printed: they are saved in the output folder and their path is shown.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from bot.messages import (
    ButtonsReply,
    ImageReply,
    ProgressReply,
    Reply,
    SuggestionsReply,
    TableReply,
    TextReply,
    VerificationReply,
)

BUTTON_HINTS = {"consent": "/agree"}


@dataclass
class Images:
    """Saves images in ``folder`` (made on first use)."""

    folder: Path

    def save(self, reply: ImageReply) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = Path(reply.filename).name or "image.png"
        path = self.folder / name
        path.write_bytes(reply.png)
        return path.resolve()


def button_hint(action: str, value: str, label: str) -> str:
    if action == "command":
        return f"/{value}"
    if action == "ask":
        return value
    return BUTTON_HINTS.get(action, label)


def plain_lines(reply: Reply, images: Images) -> list[str]:
    """A reply as text lines (the readable form both the terminal and scripts start from)."""
    if isinstance(reply, TextReply | VerificationReply):
        return reply.text.splitlines()
    if isinstance(reply, ImageReply):
        return [f"Saved the heatmaps to {images.save(reply)}", reply.caption]
    if isinstance(reply, TableReply):
        return [reply.title, *reply.text.splitlines()]
    if isinstance(reply, SuggestionsReply):
        return [f"{reply.text} (type the number to ask)",
                *(f"  {n}. {q}" for n, q in enumerate(reply.questions, start=1))]
    if isinstance(reply, ButtonsReply):
        hints = ", ".join(f"type {button_hint(a, v, label)}" for label, a, v in reply.buttons)
        return [reply.text, f"({hints})"]
    if isinstance(reply, ProgressReply):
        return [reply.text]
    return [str(reply)]


def as_json(reply: Reply, images: Images) -> dict[str, Any]:
    if isinstance(reply, TextReply):
        return {"type": "text", "kind": reply.kind, "text": reply.text}
    if isinstance(reply, VerificationReply):
        return {"type": "verification", "text": reply.text, "same_person": reply.same_person,
                "score": reply.score, "threshold": reply.threshold, "pic": reply.pic,
                "confidence": reply.confidence, "faces_found": list(reply.faces_found),
                "comparison_id": reply.comparison_id}
    if isinstance(reply, ImageReply):
        return {"type": "image", "path": str(images.save(reply)), "caption": reply.caption,
                "bytes": len(reply.png)}
    if isinstance(reply, TableReply):
        return {"type": "table", "title": reply.title, "columns": list(reply.columns),
                "rows": [list(r) for r in reply.rows], "text": reply.text}
    if isinstance(reply, SuggestionsReply):
        return {"type": "suggestions", "text": reply.text, "questions": list(reply.questions)}
    if isinstance(reply, ButtonsReply):
        return {"type": "buttons", "text": reply.text,
                "buttons": [{"label": label, "action": a, "value": v, "type": button_hint(a, v, label)}
                            for label, a, v in reply.buttons]}
    return {"type": "progress", "stage": reply.stage, "done": reply.done, "total": reply.total,
            "text": reply.text, "final": reply.final}


@dataclass
class View:
    """Where replies go. ``mode``: "terminal" (people), "lines" (scripts), "json"."""

    out: TextIO
    images: Images
    mode: str = "terminal"
    progress: Callable[[str, int, int], None] | None = None  # draws the terminal's bar
    close_progress: Callable[[], None] | None = None
    suggestions: tuple[str, ...] = field(default=())

    async def __call__(self, reply: Reply) -> None:
        self.show(reply)

    def show(self, reply: Reply) -> None:
        if isinstance(reply, SuggestionsReply):
            self.suggestions = reply.questions
        if self.mode == "json":
            self._line(json.dumps(as_json(reply, self.images), ensure_ascii=False))
        elif isinstance(reply, ProgressReply):
            self._progress(reply)
        elif self.mode == "lines":
            self._line(" | ".join(x.strip() for x in plain_lines(reply, self.images) if x.strip()))
        else:
            lines = plain_lines(reply, self.images)
            self._line("\n".join(["bot> " + lines[0], *("     " + x for x in lines[1:])]))

    def _progress(self, reply: ProgressReply) -> None:
        if self.mode != "terminal" or self.progress is None:
            return
        if reply.final:
            if self.close_progress is not None:
                self.close_progress()
            return
        self.progress(reply.stage, reply.done, reply.total)

    def _line(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()
