"""A scripted console conversation with no ../shared: photo paths typed in (quoted, escaped),
one line per reply, on the service ``build_service`` builds with the fakes of
``tests/fakes.py``. The real-model versions are in test_console."""

from __future__ import annotations

import io
from pathlib import Path

from adapters.console.session import ConsoleChat
from adapters.console.views import Images, View
from bot.dialogue import texts
from bot.messages import ConversationKey
from tests.fakes import fake_service, person_photo


async def test_a_scripted_conversation_prints_one_reply_per_line(tmp_path: Path) -> None:
    folder = tmp_path / "my photos"
    folder.mkdir()
    a, b = folder / "face 1.jpg", folder / "face 2.jpg"
    a.write_bytes(person_photo(11, 1))
    b.write_bytes(person_photo(12, 1))
    out = io.StringIO()
    service = fake_service(tmp_path, consent="on_first_photo")
    view = View(out, Images(tmp_path / "collages"), "lines")
    chat = ConsoleChat(service.dialogue, view, ConversationKey("console", "terminal", "tester"))
    script = iter(["What is the decision?", f"'{a}'", str(b).replace(" ", "\\ "), "1",
                   f"{folder}/nope.jpg", "/table", "/quit", "never read"])

    async def read_line() -> str | None:
        return next(script)

    try:
        await service.start()
        await chat.run(read_line)
    finally:
        await service.close()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Hello! I compare two face photos")
    assert lines[2] == texts.NO_PHOTOS_YET
    assert lines[3] == "Got it: I found a face. Now send the second photo."
    assert lines[4].startswith("Decision: DIFFERENT PEOPLE | Confidence:")
    saved = Path(lines[5].split(" | ")[0].removeprefix("Saved the heatmaps to "))
    assert saved.parent == (tmp_path / "collages").resolve()
    assert saved.read_bytes().startswith(b"\x89PNG")
    assert lines[6].startswith(texts.TABLE_TITLE + " | Region ")
    assert lines[7].startswith("You can ask me, for example:")
    assert "threshold" in lines[8]  # "1" asked the first suggestion: why
    assert lines[9] == f"I can't find '{folder}/nope.jpg'. Check the path."
    assert lines[10] == lines[6]  # /table again
    assert len(lines) == 11  # /quit ended it before the last line
