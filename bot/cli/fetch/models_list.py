"""``facexplain models list``: what each model setting resolves to, and the runtimes in use."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import click

from bot.cli.options import model_dir_option, settings_from
from bot.fetch.install import MANIFEST
from bot.fetch.registry import Registry, load_registry
from bot.settings import Settings
from core.errors import ModelNotFound
from core.model_files import resolve_model
from core.pipeline_identity import PipelineIdentity
from core.recognizer import file_sha256


@dataclass(frozen=True)
class ModelRow:
    setting: str
    value: str
    path: str | None
    size: int | None
    sha256: str | None
    licence: str
    problem: str = ""


def _rows(settings: Settings, registry: Registry) -> list[ModelRow]:
    wanted = [("FACEXPLAIN_RECOGNIZER_MODEL", settings.recognizer_model)]
    if settings.detector == "mtcnn":
        wanted.insert(0, ("FACEXPLAIN_MTCNN_DIR", settings.mtcnn_dir))
    else:
        wanted.insert(0, ("FACEXPLAIN_SCRFD_MODEL", settings.scrfd_model))
    rows = []
    for setting, value in wanted:
        try:
            path = resolve_model(settings.model_dir, value)
        except ModelNotFound as exc:
            rows.append(ModelRow(setting, value, None, None, None, "", problem=exc.detail))
            continue
        files = sorted(path.glob("*.pt")) if path.is_dir() else [path]
        size = sum(f.stat().st_size for f in files)
        sha = file_sha256(path) if path.is_file() else None
        rows.append(ModelRow(setting, value, str(path), size, sha, registry.licence_for(path)))
    return rows


def providers(settings: Settings) -> dict[str, list[str]]:
    import onnxruntime as ort

    available = list(ort.get_available_providers())
    used = [p for p in settings.onnx_providers if p in available] or ["CPUExecutionProvider"]
    return {"requested": list(settings.onnx_providers), "available": available, "used": used}


def packs(settings: Settings, registry: Registry) -> dict[str, str]:
    found = {}
    for name in registry.packs:
        folder = settings.model_dir / name
        found[name] = ("installed, with a download record" if (folder / MANIFEST).is_file()
                       else "installed by hand" if folder.is_dir() else "not installed")
    return found


def calibrations(settings: Settings) -> list[dict[str, object]]:
    """Every calibration in the data folder, and whether the current settings use it."""
    from bot.composition import pipeline_identity
    from core.calibration import stored

    try:
        current = pipeline_identity(settings).key
    except ModelNotFound:
        current = ""
    return [{"key": c.identity and PipelineIdentity.from_dict(c.identity).key or "(pre-identity)",
             "recognizer": c.recognizer, "detector": c.detector,
             "mirror": c.identity.get("flip_average", c.pipeline.get("flip_average")),
             "threshold": round(c.threshold, 4), "dataset": c.dataset, "date": c.date,
             "in_use": bool(c.identity) and PipelineIdentity.from_dict(c.identity).key == current}
            for c in stored(settings.calibration_dir)]


def _text(settings: Settings, rows: list[ModelRow], runtimes: dict[str, list[str]],
          pack_state: dict[str, str]) -> str:
    lines = [f"Model folder: {settings.model_dir}  [FACEXPLAIN_MODEL_DIR]",
             f"Detector: {settings.detector}  [FACEXPLAIN_DETECTOR]", ""]
    for row in rows:
        lines.append(f"{row.setting}={row.value}")
        if row.problem:
            lines.append(f"  MISSING: {row.problem}")
            continue
        lines.append(f"  file     {row.path}")
        lines.append(f"  size     {row.size:,} bytes")
        if row.sha256:
            lines.append(f"  sha256   {row.sha256}")
        lines.append(f"  licence  {row.licence}")
    lines += ["", f"ONNX Runtime providers: used {', '.join(runtimes['used'])} "
              f"(requested {', '.join(runtimes['requested'])}; "
              f"available {', '.join(runtimes['available'])})  [FACEXPLAIN_ONNX_PROVIDERS]", "",
              "Packs (facexplain models download NAME):"]
    lines += [f"  {name:<11} {state}" for name, state in pack_state.items()]
    lines += ["", f"Calibrations in {settings.calibration_dir} (facexplain calibrate):"]
    found = calibrations(settings)
    lines += [f"  {'*' if c['in_use'] else ' '} {c['key']}  {c['recognizer']} with {c['detector']}"
              f"{'' if c['mirror'] else ', no mirror averaging'}, threshold {c['threshold']}, {c['date']}"
              for c in found] or ["  none"]
    if not any(c["in_use"] for c in found):
        lines.append("  the current settings have no calibration: run `facexplain calibrate`")
    else:
        lines.append("  * = the one the current settings use")
    return "\n".join(lines)


@click.command("list")
@model_dir_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object, for scripts.")
def command(model_dir: Path | None, as_json: bool) -> None:
    """What each model setting resolves to: file, size, sha256, licence; the runtimes used."""
    settings = settings_from(model_dir=model_dir)
    registry = load_registry()
    rows, runtimes, pack_state = _rows(settings, registry), providers(settings), packs(settings, registry)
    if as_json:
        click.echo(json.dumps({"model_dir": str(settings.model_dir), "models": [asdict(r) for r in rows],
                               "providers": runtimes, "packs": pack_state,
                               "calibrations": calibrations(settings)}, indent=2))
    else:
        click.echo(_text(settings, rows, runtimes, pack_state))
