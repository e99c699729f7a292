"""``facexplain serve slack --http`` as a process of its own against the fake Slack (see
``tests.scale.serve_process``)."""

from __future__ import annotations

from pathlib import Path

from tests.adapters.fake_slack import BOT_TOKEN, FakeSlack
from tests.adapters.slack_world import SECRET
from tests.scale.serve_process import ServeProcess, free_port, serve_env

__all__ = ["SLACK_SETTINGS", "ServeSlack", "free_port"]
READY = "facexplain listens for Slack on"
# the fake Slack's bot token and signing secret, as ``serve_env`` settings
SLACK_SETTINGS = {"slack_bot_token": BOT_TOKEN, "slack_signing_secret": SECRET}


class ServeSlack(ServeProcess):
    """Settings from ``env`` (``SLACK_SETTINGS`` among them); ``on_threads`` makes them."""

    def __init__(self, fake: FakeSlack, env: dict[str, str], port: int, *,
                 log: Path | None = None, flags: tuple[str, ...] = ()) -> None:
        super().__init__(["slack", "--http", "--port", str(port), "--api-url", fake.api_url],
                         env, READY, log=log, flags=flags)
        self.fake, self.port = fake, port

    @classmethod
    def on_threads(cls, fake: FakeSlack, data_dir: Path, database_url: str,
                   port: int) -> ServeSlack:
        """One process on the threads runner (one worker), its own data folder and store."""
        env = serve_env(data_dir, database_url, job_runner="threads", job_workers="1",
                        shutdown_grace_s="10", **SLACK_SETTINGS)
        return cls(fake, env, port)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"
