"""The console chat: paths typed or dragged in, a whole conversation in script mode (one line
per reply, or JSON), and ``facexplain chat`` itself."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.console.paths import photo_paths
from adapters.console.session import ConsoleChat
from adapters.console.views import Images, View
from bot.dialogue import Dialogue, DialogueConfig, texts
from bot.jobs import JobRunner
from bot.messages import ConversationKey
from bot.services import Answerer
from bot.settings import Settings
from bot.store.repository import Store
from tests.bot.dialogue_helpers import GENUINE, IMPOSTOR
from tests.conftest import lfw_image, needs_shared


@pytest.fixture
def spaced(tmp_path: Path) -> Path:
    """A photo whose folder and name have spaces, as photos on a desktop often do."""
    folder = tmp_path / "My Photos"
    folder.mkdir()
    target = folder / "holiday 1.jpg"
    target.write_bytes(b"\xff\xd8\xff not really a jpeg")
    return target


def test_paths_typed_quoted_escaped_or_dragged_in(spaced: Path, tmp_path: Path) -> None:
    other = tmp_path / "b.png"
    other.write_bytes(b"png")
    escaped = str(spaced).replace(" ", "\\ ")
    assert photo_paths(f"'{spaced}'") == ([spaced], [])  # macOS Terminal, GNOME: quoted
    assert photo_paths(escaped) == ([spaced], [])  # iTerm, bash: backslash-escaped
    assert photo_paths(str(spaced)) == ([spaced], [])  # bare spaces (Windows Terminal)
    assert photo_paths(f'"{spaced}" {other}') == ([spaced, other], [])  # two at once
    uri = "file://" + str(spaced).replace(" ", "%20")
    assert photo_paths(uri) == ([spaced], [])  # a file manager's URI
    assert photo_paths(f"{tmp_path}/missing.jpg") == ([], [f"{tmp_path}/missing.jpg"])
    assert photo_paths("/help") == ([], [])  # a command, not a path
    assert photo_paths("is the nose in photo.jpg important?") == ([], [])  # a question
    assert photo_paths("'unbalanced quote") == ([], [])


@needs_shared
async def test_a_scripted_conversation_prints_one_reply_per_line(
    thread_runner: JobRunner, store: Store, answerer: Answerer, tmp_path: Path
) -> None:
    folder = tmp_path / "my photos"
    folder.mkdir()
    a, b = (shutil.copy(lfw_image(*face), folder / f"face {n}.jpg") for n, face in
            enumerate(GENUINE, start=1))
    out = io.StringIO()
    talk = Dialogue(thread_runner, store, answerer, DialogueConfig(consent="on_first_photo"))
    view = View(out, Images(tmp_path / "collages"), "lines")
    chat = ConsoleChat(talk, view, ConversationKey("console", "terminal", "tester"))
    script = iter(["What is the decision?", f"'{a}'", str(b).replace(" ", "\\ "), "1",
                   f"{folder}/nope.jpg", "/table", "/quit", "never read"])

    async def read_line() -> str | None:
        return next(script)

    await chat.run(read_line)
    await talk.close()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Hello! I compare two face photos")
    assert lines[2] == texts.NO_PHOTOS_YET
    assert lines[3] == "Got it: I found a face. Now send the second photo."
    assert lines[4].startswith("Decision: SAME PERSON | Confidence:")
    saved = Path(lines[5].split(" | ")[0].removeprefix("Saved the heatmaps to "))
    assert saved.parent == (tmp_path / "collages").resolve()
    assert saved.read_bytes().startswith(b"\x89PNG")
    assert lines[6].startswith(texts.TABLE_TITLE + " | Region ")
    assert lines[7].startswith("You can ask me, for example:")
    assert "threshold" in lines[8]  # "1" asked the first suggestion: why
    assert lines[9] == f"I can't find '{folder}/nope.jpg'. Check the path."
    assert lines[10] == lines[6]  # /table again
    assert len(lines) == 11  # /quit ended it before the last line


@needs_shared
async def test_json_mode_gives_structured_replies(
    thread_runner: JobRunner, store: Store, answerer: Answerer, tmp_path: Path
) -> None:
    out = io.StringIO()
    talk = Dialogue(thread_runner, store, answerer, DialogueConfig(consent="on_first_photo"))
    chat = ConsoleChat(talk, View(out, Images(tmp_path), "json"),
                       ConversationKey("console", "terminal", "json-tester"))
    script = iter([f"{lfw_image(*IMPOSTOR[0])} {lfw_image(*IMPOSTOR[1])}"])

    async def read_line() -> str | None:
        return next(script, None)

    await chat.run(read_line)
    await talk.close()
    replies = [json.loads(line) for line in out.getvalue().splitlines()]
    types = [r["type"] for r in replies]
    assert types[:3] == ["text", "text", "verification"]
    verification = replies[2]
    assert verification["same_person"] is False and verification["faces_found"] == [1, 1]
    assert 0.0 <= verification["confidence"] <= 1.0 and verification["comparison_id"] > 0
    assert "progress" in types and replies[types.index("image")]["bytes"] > 10_000
    table = replies[types.index("table")]
    assert table["columns"][0] == "Region" and len(table["rows"]) == 9
    assert types[-1] == "suggestions"


@needs_shared
def test_facexplain_chat_with_two_photos_and_a_piped_question(calibrated_settings: Settings,
                                                             tmp_path: Path) -> None:
    from bot.cli.main import cli

    env = {"FACEXPLAIN_MODEL_DIR": str(calibrated_settings.model_dir),
           "FACEXPLAIN_DATA_DIR": str(calibrated_settings.data_dir),
           "FACEXPLAIN_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    result = CliRunner().invoke(
        cli, ["chat", "--no-heatmaps", "--json", str(lfw_image(*GENUINE[0])),
              str(lfw_image(*GENUINE[1]))],
        input="What is the decision?\n/privacy\n", env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    replies = [json.loads(line) for line in result.output.splitlines()]
    assert [r["type"] for r in replies] == ["text", "text", "verification", "suggestions",
                                            "text", "text"]
    assert replies[2]["same_person"] is True
    assert replies[4]["kind"] == "answer" and "same person" in replies[4]["text"]
    assert replies[5]["text"] == texts.PRIVACY


@needs_shared
def test_facexplain_chat_started_again_goes_on_with_the_last_comparison(
        calibrated_settings: Settings, tmp_path: Path) -> None:
    """Compare, quit, come back: the follow-up is answered from the stored comparison; --new
    starts afresh."""
    from bot.cli.main import cli

    env = {"FACEXPLAIN_MODEL_DIR": str(calibrated_settings.model_dir),
           "FACEXPLAIN_DATA_DIR": str(calibrated_settings.data_dir),
           "FACEXPLAIN_DATABASE_URL": f"sqlite:///{tmp_path / 'resume.db'}"}

    def chat(*args: str, said: str) -> list[dict[str, object]]:
        result = CliRunner().invoke(cli, ["chat", "--no-heatmaps", "--json", *args], input=said,
                                    env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return [json.loads(line) for line in result.output.splitlines()]

    chat(str(lfw_image(*GENUINE[0])), str(lfw_image(*GENUINE[1])),
         said="What is the decision?\n/quit\n")
    again = chat(said="why?\n")
    assert str(again[0]["text"]).startswith("Continuing your comparison of ")
    assert str(again[0]["text"]).endswith("ask away, or send new photos.")
    answer = [r for r in again if r.get("kind") == "answer"]
    assert len(answer) == 1 and "threshold" in str(answer[0]["text"]), again
    fresh = chat("--new", said="why?\n")
    assert [r["text"] for r in fresh if r["type"] == "text"] == [texts.NEW_STARTED,
                                                                 texts.NO_PHOTOS_YET]
