"""The Telegram adapter's parts on their own: formatting within Telegram's limits, the guards
(duplicates, rate limit), the work in flight and albums, button payloads, the configuration and the command. No models needed."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.inflight import InFlight
from adapters.ratelimit import RateLimiter
from adapters.seen import Seen
from adapters.telegram import formatting
from adapters.telegram.albums import Albums
from adapters.telegram.callbacks import CallbackData
from adapters.telegram.config import TelegramNotConfigured, file_limit, require
from bot.cli.main import cli
from bot.platform_settings import TelegramSettings
from bot.settings import load_settings, with_changes
from tests.adapters.fake_telegram import FakeTelegram


def test_escaping_keeps_names_with_markup_characters_intact() -> None:
    assert formatting.escape("Dean_Barker *bold* <b>x</b> & co") == (
        "Dean_Barker *bold* &lt;b&gt;x&lt;/b&gt; &amp; co")
    assert formatting.bold_first_line("Decision: <SAME>\nJohn_Smith*") == [
        "<b>Decision: &lt;SAME&gt;</b>\nJohn_Smith*"]


def test_long_text_is_split_at_line_breaks_within_4096_units() -> None:
    lines = [f"line {i}: " + "é<>" * 30 for i in range(300)]
    text = "\n".join(lines)
    pieces = formatting.split(text)
    assert len(pieces) > 1
    assert all(formatting.units(p) <= formatting.MESSAGE_LIMIT for p in pieces)
    assert "\n".join(html.unescape(p) for p in pieces) == text  # nothing lost or doubled
    assert all(html.unescape(p).startswith("line ") for p in pieces)  # cut between lines


def test_emoji_count_twice_and_unbroken_words_are_cut_hard() -> None:
    emoji = "🙂" * 3000  # 6000 UTF-16 units
    pieces = formatting.split(emoji)
    assert [formatting.units(p) for p in pieces] == [4096, 1904]
    assert "".join(pieces) == emoji


def test_tables_stay_monospace_blocks_and_captions_fit_1024() -> None:
    rows = "\n".join(f"{'region_' + str(i):<20} 1  2  3  4  5" for i in range(400))
    blocks = formatting.table("Region table (1 = most important)", rows)
    assert blocks[0].startswith("<b>Region table (1 = most important)</b>\n<pre>")
    assert all(b.endswith("</pre>") and formatting.units(b) <= 4096 for b in blocks)
    caption, rest = formatting.caption("word " * 400)
    assert formatting.units(caption) <= 1024 and rest
    assert " ".join([caption, *rest]).split() == ["word"] * 400


def test_seen_forgets_the_oldest_ids_beyond_its_size() -> None:
    seen = Seen(3)
    assert [seen.first_time(i) for i in (1, 2, 1, 3, 4)] == [True, True, False, True, True]
    assert 2 not in seen and 1 in seen  # 2 was the least recently offered


def test_rate_limit_warns_once_per_spell_then_refills() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=20, clock=lambda: now[0])
    verdicts = [limiter.take("ann") for _ in range(25)]
    assert verdicts == ["ok"] * 20 + ["warn"] + ["drop"] * 4
    assert limiter.take("bob") == "ok"  # per user
    now[0] += 3.0  # 20 a minute: one message every 3 s
    assert [limiter.take("ann"), limiter.take("ann")] == ["ok", "warn"]


async def test_cancel_stops_the_work_in_hand_and_what_had_not_started() -> None:
    started, done = asyncio.Event(), []

    def work(item: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            started.set()
            await asyncio.sleep(0 if item == "after" else 60)
            done.append(item)

        return run

    inflight = InFlight(max_pending=None)
    for item in ("slow", "next", "last"):
        assert inflight.start("a", work(item))
    await started.wait()
    inflight.start("b", work("not started"))
    await inflight.cancel()
    assert done == [] and len(inflight) == 0
    assert inflight.start("a", work("after")) and (await inflight.join()) is None
    assert done == ["after"]


async def test_a_chat_with_its_bound_in_hand_is_refused_more() -> None:
    inflight = InFlight(max_pending=2)
    assert [inflight.start("c", lambda: asyncio.sleep(0)) for _ in range(3)] == [True, True,
                                                                                False]
    assert inflight.start("d", lambda: asyncio.sleep(0))  # per chat
    await inflight.join()
    assert len(inflight) == 0 and inflight.start("c", lambda: asyncio.sleep(0))
    await inflight.join()


async def test_album_parts_arriving_within_the_window_form_one_message() -> None:
    albums: Albums[str] = Albums(window=0.2)
    album = albums.add("g1", "part 1")
    assert album is not None
    await asyncio.sleep(0.1)
    assert albums.add("g1", "part 2") is None  # joins the open album
    parts = await albums.complete("g1", album)
    assert parts == ["part 1", "part 2"]
    assert albums.add("g1", "late part") is not None  # a new album once the first completed


def test_button_payloads_over_64_bytes_travel_by_reference() -> None:
    data = CallbackData()
    short = data.encode("ask", "Why?")
    long = data.encode("ask", "Which region mattered most for the decision, and why? " * 2)
    assert short == "ask|Why?" and long.startswith("#") and len(long.encode()) <= 64
    assert data.decode(long)[0] == "ask" and data.decode(short) == ("ask", "Why?")
    assert data.decode("#999") == ("", "")


def test_config_from_the_environment_with_the_other_settings(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"TOKEN": "42:abc", "RATE_PER_MINUTE": "5", "DROP_PENDING": "yes",
                        "BASE_URL": "http://localhost:8081/bot"}.items():
        monkeypatch.setenv(f"FACEXPLAIN_TELEGRAM_{name}", value)
    monkeypatch.setenv("FACEXPLAIN_MAX_IMAGE_BYTES", str(25 * 1024 * 1024))
    settings = load_settings()
    config = require(settings.telegram)
    assert config.rate_per_minute == 5 and config.drop_pending
    assert config.base_url == "http://localhost:8081/bot"
    assert file_limit(settings.max_image_bytes) == 20 * 1024 * 1024  # never beyond the Bot API's
    assert "42:abc" not in repr(config) and "42:abc" not in repr(settings)
    with pytest.raises(TelegramNotConfigured, match="@BotFather"):
        require(TelegramSettings(token=""))
    with pytest.raises(TelegramNotConfigured, match="WEBHOOK_URL"):
        require(with_changes(config, mode="webhook"))  # --webhook
    with pytest.raises(ValueError, match="webhook_secret"):
        with_changes(config, webhook_secret="not allowed!")


def test_a_self_hosted_server_url_gives_its_file_url_too() -> None:
    config = TelegramSettings(token="42:abc", base_url="http://localhost:8081/bot")
    assert config.file_url == "http://localhost:8081/file/bot"
    assert TelegramSettings(token="42:abc").file_url == "https://api.telegram.org/file/bot"


def test_serve_with_a_wrong_token_says_so_and_loads_no_models(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeTelegram()
    fake.start_thread()  # the command runs its own event loop
    try:
        monkeypatch.setenv("FACEXPLAIN_DATA_DIR", str(tmp_path))
        monkeypatch.setenv("FACEXPLAIN_TELEGRAM_TOKEN", "42:not-the-token")
        result = CliRunner().invoke(cli, ["serve", "telegram", "--base-url", fake.base_url])
    finally:
        fake.stop_thread()
    assert result.exit_code == 1, result.output
    assert "Telegram refused the bot token" in result.output
    assert "not-the-token" not in result.output
    assert [r.method for r in fake.requests] == ["getMe"] and fake.requests[0].status == 401


