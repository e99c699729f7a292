"""``facexplain eval ...``: evaluation reports on labelled data."""

from __future__ import annotations

from bot.cli.lazy import PackageGroup

command = PackageGroup(
    name="eval", package="bot.cli.eval", help="Evaluate on labelled data (LFW by default)."
)
