"""The pairs file: CSV with columns ``a`` and ``b`` (photo paths) and an optional ``label``."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from core.errors import FacexplainError

SAME = {"1", "same", "true", "yes", "match", "genuine", "mated"}
DIFFERENT = {"0", "different", "false", "no", "non-match", "nonmatch", "impostor", "non-mated"}


class PairsFileError(FacexplainError):
    user_message = "The pairs file cannot be read"


@dataclass(frozen=True)
class PairRow:
    number: int  # 1-based, in file order
    a: Path
    b: Path
    label: bool | None = None  # True: same person, False: different people, None: not given


def parse_label(text: str, line: int) -> bool | None:
    value = text.strip().lower()
    if not value:
        return None
    if value in SAME:
        return True
    if value in DIFFERENT:
        return False
    raise PairsFileError(detail=f"line {line}: label {text!r} is neither same (1) nor different (0)")


def read_pairs(path: Path) -> list[PairRow]:
    """Rows of ``path``; relative photo paths are taken from the CSV file's folder."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise PairsFileError(detail=f"{path}: {exc.strerror}") from exc
    reader = csv.DictReader(text.splitlines())
    columns = {c.strip().lower() for c in reader.fieldnames or []}
    if not {"a", "b"} <= columns:
        raise PairsFileError(detail=f"{path.name} needs a header with columns a and b "
                             f"(and optionally label); found {sorted(columns) or 'none'}")
    rows: list[PairRow] = []
    for line, raw in enumerate(reader, start=2):
        record = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        if not record.get("a") or not record.get("b"):
            raise PairsFileError(detail=f"line {line}: both a and b must name a photo")
        a, b = (Path(record[k]).expanduser() for k in ("a", "b"))
        rows.append(PairRow(len(rows) + 1, a if a.is_absolute() else path.parent / a,
                            b if b.is_absolute() else path.parent / b,
                            parse_label(record.get("label", ""), line)))
    if not rows:
        raise PairsFileError(detail=f"{path.name} has a header but no pairs")
    return rows
