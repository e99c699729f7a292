"""The composition root: the one place that builds concrete objects from settings.

Every entry point (the ``facexplain`` commands in ``bot.cli``) builds what it runs here, from
the one ``Settings`` its command group read; ``build_service`` is the conversation service the
chat platforms and the console share. Everything else receives what it needs; tests call the
same builders with their own settings and pass fakes (``tests/fakes.py``) for any part.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import SecretStr

from bot.settings import Settings
from bot.store.config import StoreConfig
from core.calibration import Calibration, adopt_legacy
from core.faces import Detector, Policy
from core.flip import FlipAveraged
from core.image_input import ImageLimits
from core.model_files import resolve_model
from core.onnx import intra_op_threads
from core.pipeline import FacePipeline
from core.pipeline_identity import ALIGNMENT, PipelineIdentity, combined_sha256
from core.recognizer import Normalisation, OnnxRecognizer, Recognizer, file_sha256
from core.regions import CanonicalRegions, RegionSource
from core.saliency import SaliencyParams, params_for
from core.torch_device import resolve_device
from core.verify import Verifier

if TYPE_CHECKING:
    from bot.dialogue import Dialogue, DialogueConfig
    from bot.dialogue.context import FaceShelf, SharedLocks
    from bot.jobs import JobRunner
    from bot.jobs.celery_app import CeleryConfig
    from bot.services import Answerer, Describer, Engines
    from bot.store.port import StorePort
    from bot.store.repository import Store


def build_detector(settings: Settings, concurrency: int = 1) -> Detector:
    """The face detector; its intra-op threads (unless FACEXPLAIN_ONNX_THREADS sets them) share
    the cores among ``concurrency`` callers."""
    if settings.detector == "mtcnn":
        import torch

        from core.mtcnn import MtcnnDetector

        # MTCNN's small convolutions gain nothing from more threads, and torch's spinning
        # thread pool beside ONNX Runtime's made it ~8x slower on a busy 2-core machine.
        torch.set_num_threads(settings.torch_threads)
        return MtcnnDetector.from_dir(resolve_model(settings.model_dir, settings.mtcnn_dir),
                                      device=resolve_device(settings.torch_device))
    from core.scrfd import ScrfdDetector

    return ScrfdDetector.from_file(
        resolve_model(settings.model_dir, settings.scrfd_model),
        providers=settings.onnx_providers,
        threads=settings.onnx_threads or intra_op_threads(concurrency),
        max_size=settings.detector_max_size,
        score_threshold=settings.detector_score_threshold,
        nms_threshold=settings.detector_nms_threshold,
    )


def build_base_recognizer(settings: Settings, concurrency: int = 2) -> OnnxRecognizer:
    """The recognizer exactly as the model file defines it (no mirror averaging). Its intra-op
    threads (unless FACEXPLAIN_ONNX_THREADS sets them) share the cores among ``concurrency``
    callers: by default the two faces of a pair, whose saliency passes run at once."""
    return OnnxRecognizer.from_file(
        resolve_model(settings.model_dir, settings.recognizer_model),
        batch_size=settings.recognizer_batch_size,
        normalisation=Normalisation(settings.recognizer_mean, settings.recognizer_std),
        providers=settings.onnx_providers,
        threads=settings.onnx_threads,
        concurrency=concurrency,
    )


def build_rough_recognizer(settings: Settings, params: SaliencyParams,
                           concurrency: int = 2) -> Recognizer | None:
    """The recognizer's bf16 copy when the saliency profile asks for a bf16 first pass and the
    CPU runs bf16 (OpenVINO); None otherwise, and on a GPU provider (the passes run there)."""
    if params.first_pass == "f32" or any("CPU" not in p for p in settings.onnx_providers or []):
        return None
    from core.openvino_session import bf16_recognizer

    return bf16_recognizer(resolve_model(settings.model_dir, settings.recognizer_model),
                           normalisation=Normalisation(settings.recognizer_mean, settings.recognizer_std),
                           concurrency=concurrency)


def build_recognizer(settings: Settings, concurrency: int = 2) -> Recognizer:
    base = build_base_recognizer(settings, concurrency)
    return FlipAveraged(base) if settings.flip_average else base


def image_limits(settings: Settings) -> ImageLimits:
    """What an incoming photo may cost, wherever it is decoded (a job, or the bot itself)."""
    return ImageLimits(max_bytes=settings.max_image_bytes, max_pixels=settings.max_image_pixels,
                       max_side=settings.max_image_side,
                       decode_cpu_s=settings.max_image_decode_cpu_s)


def build_pipeline(settings: Settings, policy: Policy = "largest") -> FacePipeline:
    limits = image_limits(settings)
    workers = settings.verify_workers  # the two photos of a pair run side by side (Verifier)
    return FacePipeline(build_detector(settings, workers), build_recognizer(settings, workers),
                        limits=limits, policy=policy)


def pipeline_identity(settings: Settings, pipeline: FacePipeline | None = None) -> PipelineIdentity:
    """The identity a calibration of this pipeline is stored under (core.pipeline_identity);
    without a built ``pipeline``, from the settings and the model files alone."""
    if settings.detector == "mtcnn":
        from core.mtcnn import WEIGHT_FILES

        folder = resolve_model(settings.model_dir, settings.mtcnn_dir)
        detector_sha = combined_sha256([file_sha256(folder / name) for name in WEIGHT_FILES])
    else:
        detector_sha = file_sha256(resolve_model(settings.model_dir, settings.scrfd_model))
    if pipeline is None:
        recognizer_sha = file_sha256(resolve_model(settings.model_dir, settings.recognizer_model))
        size = settings.detector_max_size if settings.detector == "scrfd" else None
    else:
        recognizer_sha, size = pipeline.recognizer.sha256, getattr(pipeline.detector, "max_size", None)
    return PipelineIdentity(
        recognizer_sha256=recognizer_sha, detector=settings.detector,
        detector_sha256=detector_sha, detector_input=size,
        alignment=ALIGNMENT, flip_average=settings.flip_average,
        normalisation=(settings.recognizer_mean, settings.recognizer_std))


def load_calibration(settings: Settings, pipeline: FacePipeline) -> Calibration:
    """This pipeline's calibration; NotCalibrated (naming `facexplain calibrate`) if none."""
    return Calibration.load(settings.calibration_dir, pipeline_identity(settings, pipeline),
                            pipeline.detector.name)


def attribute_folder(settings: Settings, pipeline: FacePipeline) -> Path:
    """Where this pipeline's trained attribute model lives (adopting a pre-identity folder
    together with the calibration it came with)."""
    from core.attributes.model import adopt_legacy_folder, model_folder

    identity = pipeline_identity(settings, pipeline)
    adopt_legacy(settings.calibration_dir, identity, pipeline.detector.name)
    adopt_legacy_folder(settings.data_dir, identity,
                        Calibration.path_for(settings.calibration_dir, identity))
    return model_folder(settings.data_dir, identity.key)


def build_verifier(settings: Settings) -> Verifier:
    pipeline = build_pipeline(settings)
    return Verifier(pipeline, load_calibration(settings, pipeline),
                    workers=settings.verify_workers)


def build_region_source(settings: Settings) -> RegionSource:
    if settings.regions == "dlib68":
        from core.regions_dense import DenseLandmarkRegions, DlibLandmarks

        return DenseLandmarkRegions(DlibLandmarks())
    return CanonicalRegions()


def saliency_params(settings: Settings) -> SaliencyParams:
    return params_for(settings.saliency_profile)


# --- the conversation service: jobs, store, QA, dialogue (bot/dialogue, bot/jobs) ---


def build_engines(settings: Settings, saliency: SaliencyParams | None = None) -> Engines:
    """What a job worker loads once: the face pipeline, the verifier and the explainer."""
    from bot.services import CoreExplainer, Engines

    verifier = build_verifier(settings)
    # every worker explains two faces at once
    recognizer = build_base_recognizer(settings, concurrency=2 * settings.job_workers)
    params = saliency or saliency_params(settings)
    explainer = CoreExplainer(recognizer, params, regions=build_region_source(settings),
                              seed=settings.saliency_seed,
                              rough=build_rough_recognizer(settings, params, 2 * settings.job_workers))
    return Engines(verifier.pipeline, verifier, explainer, build_describer(settings, verifier),
                   limits=verifier.pipeline.limits)


def build_describer(settings: Settings, verifier: Verifier) -> Describer | None:
    """The trained attribute model of this recognizer, or None when none was trained."""
    from bot.services import CoreDescriber
    from core.attributes.model import AttributesNotTrained

    folder = attribute_folder(settings, verifier.pipeline)
    try:
        return CoreDescriber(folder)
    except AttributesNotTrained:
        return None


def build_runner(settings: Settings, *, saliency: SaliencyParams | None = None,
                 kind: str | None = None, workers: int | None = None) -> JobRunner:
    """The job runner named by ``settings.job_runner`` (or ``kind``): worker processes
    (default), threads, or Celery workers. In-process workers build their engines once each
    (``build_engines``); Celery workers do the same in ``facexplain worker``."""
    from functools import partial

    from bot.jobs import ProcessJobRunner, ProcessOptions, ThreadJobRunner

    kind = kind or settings.job_runner
    workers = workers or settings.job_workers
    grace_s = settings.shutdown_grace_s
    runner: JobRunner
    if kind == "celery":
        from bot.jobs.celery_runner import CeleryJobRunner

        runner = CeleryJobRunner(celery_config(settings), grace_s=grace_s)
    elif kind == "threads":
        runner = ThreadJobRunner(partial(build_engines, settings, saliency), workers, grace_s=grace_s)
    else:
        runner = ProcessJobRunner(partial(build_engines, settings, saliency), ProcessOptions(
            workers=workers, job_timeout_s=settings.job_timeout_s, grace_s=grace_s))
    return instrument_runner(settings, runner)


def instrument_runner(settings: Settings, runner: JobRunner) -> JobRunner:
    """``runner`` with its jobs counted and timed, when the ops endpoint (metrics) is on."""
    from bot.ops.instrumented import instrumented
    from bot.ops.server import ops_metrics

    metrics = ops_metrics(settings)
    return runner if metrics is None else instrumented(runner, metrics)


def celery_config(settings: Settings) -> CeleryConfig:
    from bot.jobs.celery_app import CeleryConfig

    return CeleryConfig(redis_url=settings.redis_url, job_timeout_s=settings.job_timeout_s,
                        kill_grace_s=settings.job_kill_grace_s,
                        visibility_timeout_s=settings.job_visibility_timeout_s,
                        queue=settings.job_queue)


def build_answerer(settings: Settings) -> Answerer:
    """The QA engine (grounded mode, the bundled sentence encoder) behind the dialogue's port."""
    from bot.services import QAAnswerer
    from core.qa import QAEngine, SentenceTransformerEncoder

    device = resolve_device(settings.torch_device)
    return QAAnswerer(QAEngine(SentenceTransformerEncoder(threads=1, device=device),
                               cache_dir=settings.cache_dir))


def build_dialogue(settings: Settings, runner: JobRunner, store: StorePort,
                   answerer: Answerer | None = None,
                   config: DialogueConfig | None = None) -> Dialogue:
    """The dialogue every adapter talks to; photos over ``settings.max_image_bytes`` are
    refused before they reach a worker. On a PostgreSQL store several bot processes may
    serve the same conversations (replicas): see ``replica_parts``."""
    from dataclasses import replace

    from bot.dialogue import Dialogue, DialogueConfig
    from bot.ops.instrumented import InstrumentedAnswerer
    from bot.ops.server import ops_metrics

    config = replace(config or DialogueConfig(), max_photo_bytes=settings.max_image_bytes,
                     photo_limits=image_limits(settings))
    answerer = answerer or build_answerer(settings)
    metrics = ops_metrics(settings)
    if metrics is not None:
        answerer = InstrumentedAnswerer(answerer, metrics)
    locks, shelf = replica_parts(settings, store)
    return Dialogue(runner, store, answerer, config, locks=locks, shelf=shelf)


FIRST_FACE_TTL_S = 30 * 60  # a first photo waits this long for its second on the shelf


def replica_parts(settings: Settings, store: StorePort) -> tuple[SharedLocks | None,
                                                                 FaceShelf | None]:
    """What lets replicas share conversations: on a PostgreSQL store, a per-conversation
    advisory lock (``bot.store.locks``); on the Celery runner (Redis), the first photo's face
    shelved in Redis (``bot.jobs.shelf``). The embedded SQLite store is one process's."""
    from bot.store.repository import Store

    locks: SharedLocks | None = None
    shelf: FaceShelf | None = None
    if isinstance(store, Store) and store.engine.dialect.name == "postgresql":
        from bot.store.locks import AdvisoryLocks

        locks = AdvisoryLocks(store.engine.url)
    if settings.job_runner == "celery":
        from bot.jobs.shelf import RedisShelf

        shelf = RedisShelf(settings.redis_url, settings.job_queue, store, FIRST_FACE_TTL_S)
    return locks, shelf


def store_config(settings: Settings) -> StoreConfig:
    from bot.store.config import default_database_url
    from bot.store.keys import load_or_create_key

    def key(secret: SecretStr | None, name: str) -> bytes:
        if secret is not None:
            return secret.get_secret_value().encode()
        return load_or_create_key(settings.secrets_dir / name)

    return StoreConfig(
        url=settings.database_url or default_database_url(settings.data_dir),
        pseudonym_key=key(settings.pseudonym_key, "pseudonym.key"),
        keep_images=settings.keep_images,
        image_key=key(settings.image_key, "image.key") if settings.keep_images else None,
        image_ttl_hours=settings.image_ttl_hours,
        retention_days=settings.retention_days,
        busy_timeout_ms=settings.db_busy_timeout_ms,
        retry_s=settings.db_retry_s,
        audit_key=audit_key(settings, create=True),
    )


AUDIT_KEY_FILE = "audit.key"


class AuditKeyMissing(ValueError):
    pass


def audit_key(settings: Settings, *, create: bool) -> bytes:
    """FACEXPLAIN_AUDIT_KEY; else, for the embedded SQLite store only, the key file in the
    data folder (made with mode 0600 when ``create``). PostgreSQL needs the setting."""
    from bot.store.keys import load_or_create_key

    if settings.audit_key is not None:
        return settings.audit_key.get_secret_value().encode()
    url = settings.database_url or ""
    path = settings.secrets_dir / AUDIT_KEY_FILE
    if url and not url.startswith("sqlite"):
        raise AuditKeyMissing("FACEXPLAIN_AUDIT_KEY is required with a database server: set it "
                              "to a long random secret (e.g. `openssl rand -base64 32`)")
    if create:
        return load_or_create_key(path)
    if not path.is_file():
        raise AuditKeyMissing(f"no audit key: set FACEXPLAIN_AUDIT_KEY or keep {path}")
    return path.read_bytes().strip()


def build_store(settings: Settings) -> Store:
    from bot.store.repository import open_store

    return open_store(store_config(settings), migrate=settings.db_migrate_on_start)


@dataclass(frozen=True)
class Service:
    """The conversation service every chat platform and the console talk to: the store, the
    job runner and the dialogue on them. ``start`` loads the models ahead of the first photo
    (``bot.cli.lifecycle`` orders it with the platform); ``close`` finishes and closes all."""

    store: StorePort
    runner: JobRunner
    dialogue: Dialogue

    async def start(self) -> None:
        await self.runner.start()
        await self.dialogue.warm_up()  # the QA encoder, before the first question

    async def close(self) -> None:
        try:
            await self.dialogue.close()
            await self.runner.close()
        finally:
            for part in (self.dialogue.parts.locks, self.dialogue.parts.shelf):
                close_part = getattr(part, "close", None)
                if close_part is not None:
                    close_part()
            close = getattr(self.store, "close", None)
            if close is not None:
                close()


def build_service(settings: Settings, *, store: StorePort | None = None,
                  runner: JobRunner | None = None, answerer: Answerer | None = None,
                  config: DialogueConfig | None = None) -> Service:
    """The service from ``settings``: the store, the runner ``settings.job_runner`` names and
    the dialogue. Tests pass fakes for any part; what is passed is closed with the rest."""
    store = store if store is not None else build_store(settings)
    runner = runner if runner is not None else build_runner(settings)
    return Service(store, runner, build_dialogue(settings, runner, store, answerer, config))
