"""Health checks: settings, model files, database, Redis. Each check is quick (a few seconds
at most) and reports what it looked at, never a password."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass

from bot.settings import Settings, load_settings
from core.errors import ModelNotFound
from core.model_files import resolve_model

TIMEOUT_S = 3


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Report:
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def to_json(self) -> str:
        return json.dumps({"ok": self.ok, "checks": [asdict(c) for c in self.checks]}, indent=2)


def check_models(settings: Settings) -> Check:
    detector = settings.scrfd_model if settings.detector == "scrfd" else settings.mtcnn_dir
    names = [detector, settings.recognizer_model]
    try:
        found = [resolve_model(settings.model_dir, name) for name in names]
    except ModelNotFound as exc:
        return Check("models", False, exc.detail or exc.user_message)
    return Check("models", True, ", ".join(str(path) for path in found))


def check_database(settings: Settings) -> Check:
    if not settings.database_url:
        return Check("database", True, "skipped: no FACEXPLAIN_DATABASE_URL (SQLite in the data folder)")
    try:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        from bot.store.engine import safe_url
    except ImportError:
        return Check("database", False, "the store is not installed: pip install 'facexplain[store]'")
    url = settings.database_url
    try:
        parsed = make_url(url)
        args = {"connect_timeout": TIMEOUT_S} if parsed.get_backend_name() == "postgresql" else {}
        engine = create_engine(parsed, connect_args=args)
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        finally:
            engine.dispose()
    except Exception as exc:
        return Check("database", False, f"{_safe(url, safe_url)} is not reachable ({type(exc).__name__})")
    return Check("database", True, f"{safe_url(url)} answers")


def check_redis(settings: Settings) -> Check:
    if settings.job_runner != "celery":
        return Check("redis", True, f"skipped: jobs run in-process ({settings.job_runner})")
    try:
        import redis
    except ImportError:
        return Check("redis", False, "redis is not installed: pip install 'facexplain[scale]'")
    shown = _redis_shown(settings.redis_url)
    try:
        client = redis.Redis.from_url(settings.redis_url, socket_timeout=TIMEOUT_S,
                                      socket_connect_timeout=TIMEOUT_S)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:
        return Check("redis", False, f"{shown} is not reachable ({type(exc).__name__})")
    return Check("redis", True, f"{shown} answers")


def run_checks(load: Callable[[], Settings] = load_settings) -> Report:
    """Every check; when the settings do not load, that is the only one reported."""
    try:
        settings = load()
    except Exception as exc:  # pydantic's ValidationError names the bad variable
        return Report((Check("settings", False, " ".join(str(exc).split())),))
    return Report((Check("settings", True, "loaded"), check_models(settings),
                   check_runtimes(settings), check_database(settings), check_redis(settings)))


def check_runtimes(settings: Settings) -> Check:
    from bot.ops.runtimes import runtimes_check

    ok, detail = runtimes_check(settings)
    return Check("runtimes", ok, detail)


def _safe(url: str, hide: Callable[[str], str]) -> str:
    try:
        return hide(url)
    except Exception:
        return "the database URL"


def _redis_shown(url: str) -> str:
    """``redis://:secret@host:6379/0`` -> ``redis://host:6379/0``."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme}{sep}{rest.rpartition('@')[2]}" if sep else "the Redis URL"
