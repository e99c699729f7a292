"""Files the package reads at run time, found through ``importlib.resources`` so an installed
copy (a wheel) finds them wherever it runs from, as a checkout does."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def qa_data() -> Path:
    """The QA data folder: ``data/qa`` in a checkout, the package ``core.qa_data`` in a wheel."""
    return Path(str(files("core.qa_data")))
