"""Find model files in the user's model directory (standard packs load as they are)."""

from __future__ import annotations

from pathlib import Path

from core.errors import ModelNotFound


def resolve_model(model_dir: Path, name: str) -> Path:
    """Return the file ``name`` (absolute, relative to ``model_dir``, or a basename found in
    ``model_dir`` or one pack folder below it, such as ``buffalo_l/w600k_r50.onnx``).

    Raises ModelNotFound naming the file and the folder it was looked for in.
    """
    candidate = Path(name).expanduser()
    if candidate.is_absolute():
        if candidate.exists():
            return candidate
        raise ModelNotFound(detail=f"{candidate.name} was not found in {candidate.parent}")
    direct = model_dir / candidate
    if direct.exists():
        return direct
    if model_dir.is_dir():
        matches = sorted(p for p in model_dir.glob(f"*/{candidate.name}"))
        matches += sorted(p for p in model_dir.glob(f"*/*/{candidate.name}"))
        if matches:
            return matches[0]
    raise ModelNotFound(
        detail=(
            f"{name} was not found in {model_dir.resolve()} (nor one or two folders below it); "
            "set FACEXPLAIN_MODEL_DIR to the folder that holds your models"
        )
    )
