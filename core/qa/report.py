"""The evaluation summary as a readable table: one row per family, one column per mode."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def render(summary: Mapping[str, Any]) -> str:
    """A readable table: one row per family, one column per mode."""
    modes = list(summary)
    families = list(dict.fromkeys(f for m in modes for f in summary[m]["families"]))
    head = f"{'family':<16}" + "".join(f"{m:>22}" for m in modes)
    lines = [head, "-" * len(head)]

    def cell(r: Mapping[str, Any] | None) -> str:
        return f"{'':>22}" if r is None or not r["n"] else f"{r['accuracy']:>10.1%} ({r['correct']:>3}/{r['n']:<3})  "

    for f in families:
        lines.append(f"{f:<16}" + "".join(cell(summary[m]["families"].get(f)) for m in modes))
    lines.append("-" * len(head))
    for split in dict.fromkeys(s for m in modes for s in summary[m]["splits"]):
        lines.append(f"{'split ' + split:<16}" + "".join(cell(summary[m]["splits"].get(split)) for m in modes))
    lines.append(f"{'overall':<16}" + "".join(cell(summary[m]["overall"]) for m in modes))
    for key in ("answers", "all_questions"):
        row = f"{'p50/p95 ms':<16}" if key == "answers" else f"{'  (all)':<16}"
        for m in modes:
            lat = summary[m]["latency_ms"][key]
            row += f"{'':>22}" if lat["p50"] is None else f"{lat['p50']:>11.1f} / {lat['p95']:<8.1f}  "
        lines.append(row)
    return "\n".join(lines)
