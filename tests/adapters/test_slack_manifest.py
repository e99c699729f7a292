"""The app manifest asks for exactly what the assistant uses, and subscribes to exactly the
events it listens to."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.slack.app import EVENTS

MANIFEST = Path(__file__).resolve().parents[2] / "deploy" / "slack-manifest.yaml"


def test_the_manifest_is_minimal_and_matches_the_listeners() -> None:
    yaml = pytest.importorskip("yaml")
    manifest = yaml.safe_load(MANIFEST.read_text())
    # each scope is used: mentions, posting/editing/ephemeral notes, reading shared photos,
    # uploading the collage and table, direct messages; no channel history, no user lookups
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "app_mentions:read", "chat:write", "files:read", "files:write", "im:history"}
    subscribed = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert subscribed == {"app_mention", "message.im"}
    assert {name.split(".")[0] for name in subscribed} == set(EVENTS)
    settings = manifest["settings"]
    assert settings["interactivity"]["is_enabled"] and settings["socket_mode_enabled"]
    assert manifest["features"]["app_home"]["messages_tab_enabled"]
