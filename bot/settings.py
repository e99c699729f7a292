"""Typed settings, read from the environment (prefix FACEXPLAIN_) once at start-up.

One model: the chat platforms' settings are nested in it (``settings.telegram``,
``settings.slack``, from ``FACEXPLAIN_TELEGRAM_*`` / ``FACEXPLAIN_SLACK_*``). The ``facexplain``
command group builds it once and hands it to the sub-command (``bot.cli.options``); nothing
else reads the environment. Nothing here runs at import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, TypeVar

import platformdirs
from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.platform_settings import SlackSettings, TelegramSettings
from bot.store.config import (
    DEFAULT_BUSY_TIMEOUT_MS,
    DEFAULT_IMAGE_TTL_HOURS,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_RETRY_S,
)
from core.image_input import DEFAULT_LIMITS


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("facexplain"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FACEXPLAIN_", env_nested_delimiter="__", extra="ignore"
    )

    # Where models live. Standard InsightFace packs (buffalo_l/...) can sit in sub-folders.
    model_dir: Path = Field(default_factory=lambda: _default_data_dir() / "models")
    # Where calibrations, trained heads, the SQLite store and outputs live.
    data_dir: Path = Field(default_factory=_default_data_dir)

    # Detection
    detector: Literal["scrfd", "mtcnn"] = "scrfd"
    scrfd_model: str = "det_500m.onnx"
    mtcnn_dir: str = "mtcnn"
    torch_threads: int = Field(default=1, ge=1)  # PyTorch intra-op threads (MTCNN)
    torch_device: Literal["cpu", "cuda", "auto"] = "auto"  # MTCNN, encoder, reader, CLIP
    detector_max_size: int = 640  # the detector input fits the image, capped at this side
    detector_score_threshold: float = 0.5
    detector_nms_threshold: float = 0.4

    # Recognition
    recognizer_model: str = "mobilefacenet_128d.onnx"
    recognizer_batch_size: int = 1  # 1 for fixed-batch exports; e.g. 32 for InsightFace packs
    recognizer_mean: float = 127.5
    recognizer_std: float = 128.0
    flip_average: bool = True  # average the template of the face and its mirror image
    onnx_providers: list[str] = Field(default_factory=lambda: ["CPUExecutionProvider"])
    onnx_threads: int = 0  # 0: cores // concurrent callers (core.onnx.intra_op_threads)
    # The two photos of a pair are prepared at the same time on this many threads (the
    # verification sessions' intra-op threads are then shared out among them).
    verify_workers: int = Field(default=2, ge=1)

    # Image input limits (checked from the header before any decoding)
    max_image_bytes: int = DEFAULT_LIMITS.max_bytes  # every platform's photo limit too
    max_image_pixels: int = DEFAULT_LIMITS.max_pixels
    max_image_side: int = DEFAULT_LIMITS.max_side
    max_image_decode_cpu_s: int = Field(default=4, ge=1)  # CPU seconds per decode, in a child

    # Explanations (MinPlus saliency): "fast" (the paper's grid, lazy greedy, bf16 removal
    # first pass), "interactive" (coarse grid), "paper-lazy", "paper" (Mery's setting, exact)
    saliency_profile: str = "fast"
    saliency_seed: int = 0
    regions: Literal["canonical", "dlib68"] = "canonical"

    # Conversation store (SQLite in data_dir unless a URL is given) and privacy
    database_url: str | None = None
    pseudonym_key: SecretStr | None = None  # default: a key file created under data_dir/secrets
    keep_images: bool = False
    image_key: SecretStr | None = None
    # Keys the audit chain's MACs. Required with PostgreSQL (production); with the embedded
    # SQLite default, a key file is created under data_dir/secrets (0600) when not given.
    audit_key: SecretStr | None = None
    image_ttl_hours: float = DEFAULT_IMAGE_TTL_HOURS
    retention_days: int = DEFAULT_RETENTION_DAYS
    db_migrate_on_start: bool = True
    db_busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
    db_retry_s: float = Field(default=DEFAULT_RETRY_S, ge=0)  # waits this long for a database away

    # Jobs: in-process workers (default) or Celery workers fed through Redis (scale-out)
    job_runner: Literal["processes", "threads", "celery"] = "processes"
    redis_url: str = "redis://127.0.0.1:6379/0"
    shutdown_grace_s: float = 30.0  # on stop, jobs already running get this long to finish
    job_workers: int = Field(default=2, ge=1)  # processes or threads (Celery: `facexplain worker`)
    job_timeout_s: float = Field(default=600.0, gt=0)  # per job; then JobTimedOut
    job_kill_grace_s: float = Field(default=15.0, gt=0)  # Celery: then the job's process is killed
    # Celery: a job whose worker vanished is delivered again after this many seconds (default:
    # the job's hard time limit plus a minute; it must exceed the longest job). The broker
    # Redis needs `appendonly yes` (AOF), or queued jobs are lost when it restarts.
    job_visibility_timeout_s: float | None = None
    job_queue: str = "facexplain"  # Celery: deployments that share one Redis use different queues

    # Operations: log format, and the /healthz + /metrics endpoint (off unless a port is set)
    log_format: Literal["text", "json"] = "text"
    ops_host: str = "127.0.0.1"
    ops_port: int | None = None

    # Calibration
    lfw_dir: Path | None = None  # default: DATA_DIR/lfw (where `facexplain data download lfw` puts it)
    threshold_rule: Literal["eer", "fmr"] = "eer"
    target_fmr: float = 0.001

    # Chat platforms (FACEXPLAIN_TELEGRAM_*, FACEXPLAIN_SLACK_*)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)

    @property
    def lfw_path(self) -> Path:
        """LFW (deepfunneled/ and the pairs files): FACEXPLAIN_LFW_DIR, else DATA_DIR/lfw."""
        return self.lfw_dir if self.lfw_dir is not None else self.data_dir / "lfw"

    @property
    def calibration_dir(self) -> Path:
        return self.data_dir / "calibration"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def secrets_dir(self) -> Path:
        return self.data_dir / "secrets"


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, with explicit overrides (CLI flags, tests)."""
    return Settings(**overrides)  # type: ignore[arg-type]


M = TypeVar("M", bound=BaseModel)


def with_changes(model: M, **changes: object) -> M:
    """``model`` with ``changes`` (CLI flags) validated like the rest; ``None`` values are
    options not given and change nothing."""
    given = {name: value for name, value in changes.items() if value is not None}
    if not given:
        return model
    return type(model).model_validate({**dict(model), **given})
