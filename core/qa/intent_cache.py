"""The fitted intent classifier, kept in the data folder between process starts (fitting it on
the bank takes seconds; loading it, a fraction of one).

The file is named by a key: a hash of everything the fit depends on (the training wordings and
their labels, the encoder, the fit's code version and the scikit-learn version), so a changed
bank, another encoder or new code refits and writes a new file. A file that cannot be read (cut
short, corrupt, another object, unsafe permissions) is refitted and replaced, never a crash.
Files are written to a temporary name and renamed, so a reader never sees half a file.

Persistence is joblib (scikit-learn's own), which unpickles: it is only ever loaded from the
app's own data folder, and only from a file owned by this user that nobody else may write.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from core.qa.intents import IntentModel

log = logging.getLogger(__name__)

# bump when fit_intents or IntentModel change in a way that old files must not be reused
CODE_VERSION = 1
PREFIX = "qa-intents-"
KEEP = 3  # cache files kept in the folder


def cache_key(pairs: Sequence[tuple[str, str]], encoder: str, extra: str = "") -> str:
    """A hash of the training wordings and labels, the encoder's name, the code version."""
    import sklearn

    blob = json.dumps({"pairs": list(pairs), "encoder": encoder, "extra": extra,
                       "code": CODE_VERSION, "sklearn": sklearn.__version__},
                      ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:24]


def cache_file(folder: Path, key: str) -> Path:
    return folder / f"{PREFIX}{key}.joblib"


def _safe(path: Path) -> bool:
    """Owned by this user (where the platform has owners) and writable by nobody else."""
    info = path.stat()
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return False
    return not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def load(path: Path) -> IntentModel | None:
    """The classifier saved at ``path``, or None when there is none or it cannot be used."""
    if not path.is_file():
        return None
    try:
        if not _safe(path):
            log.warning("ignoring %s: not owned by this user or writable by others", path)
            return None
        import joblib

        model = joblib.load(path)
    except Exception as exc:  # a corrupt or foreign file is refitted, never a crash
        log.warning("ignoring unreadable intent cache %s: %s", path, exc)
        return None
    return model if isinstance(model, IntentModel) else None


def save(path: Path, model: IntentModel) -> None:
    """Write ``model`` atomically (a temporary file in the same folder, then a rename); a
    folder that cannot be written only costs the next start a refit."""
    import joblib

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                joblib.dump(model, out)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError as exc:
        log.warning("could not write the intent cache %s: %s", path, exc)
        return
    # files of older banks or code: the newest few are kept (two configurations may share the
    # folder), the rest removed
    others = sorted((f for f in path.parent.glob(f"{PREFIX}*.joblib") if f != path),
                    key=lambda f: f.stat().st_mtime, reverse=True)
    for old in others[KEEP - 1:]:
        old.unlink(missing_ok=True)


def load_or_fit(folder: Path, key: str, fit: Callable[[], IntentModel]) -> IntentModel:
    """The saved classifier for ``key``, or a fresh fit that is then saved."""
    path = cache_file(folder, key)
    model = load(path)
    if model is None:
        model = fit()
        save(path, model)
    return model
