"""The explainability table as compact monospace text (for chats), CSV and JSON.

Left/right in region names are the subject's own: the person's left eye appears on the
VIEWER'S RIGHT of the image.
"""

from __future__ import annotations

import csv
import io
import json

from core.comparison import METHODS
from core.table import COLUMNS, MEAN, RATIO, Table, least_important, most_important

WIDTH = 48  # every line of table_text fits in this many columns
_SHORT = {"left": "L", "right": "R"}


def short_region(region: str) -> str:
    """'left eyebrow' -> 'L eyebrow' (the subject's own left)."""
    first, _, rest = region.partition(" ")
    return f"{_SHORT[first]} {rest}" if first in _SHORT and rest else region


def table_text(table: Table) -> str:
    """A monospace table at most ``WIDTH`` columns wide, with a legend and the ranking's ends."""
    header = f"{'Region':<10}" + "".join(f"{m:>4}" for m in METHODS) + f"{'Mean':>5}{'1s':>5}"
    lines = [header, "-" * len(header)]
    for region, row in table.items():
        levels = "".join(f"{int(row[m]):>4}" for m in METHODS)
        lines.append(f"{short_region(region):<10}{levels}{row[MEAN]:>5.1f}{row[RATIO]:>5.0%}")
    lines += [
        "1 = most important, 5 = least.",
        "1s = share of methods rating it 1.",
        "L/R = the person's own left/right.",
        *_wrap("Most important: ", most_important(table)),
        *_wrap("Least important: ", least_important(table)),
    ]
    return "\n".join(lines)


def table_csv(table: Table) -> str:
    """CSV with a header row: region, the five methods, Mean, Ratio of 1s."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["region", *COLUMNS])
    for region, row in table.items():
        writer.writerow([region, *(_number(row[c]) for c in COLUMNS)])
    return out.getvalue()


def table_json(table: Table) -> str:
    """JSON: {region: {column: value}}, the shape of ``Comparison.tables``."""
    return json.dumps({region: {c: row[c] for c in COLUMNS} for region, row in table.items()}, indent=2)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.3g}"


def _wrap(prefix: str, regions: list[str]) -> list[str]:
    """'Most important: a, b (tie)' wrapped at ``WIDTH`` columns."""
    words = ", ".join(regions) + (" (tie)" if len(regions) > 1 else "")
    lines, line = [], prefix
    for word in words.split(" "):
        if len(line) + len(word) > WIDTH and line.strip():
            lines.append(line.rstrip())
            line = "  "
        line += word + " "
    return [*lines, line.rstrip()]
