"""Numbers for people, the same everywhere (chat, Slack, CLI, collage title): probabilities
to three decimals, and never 0 or 1 (a PIC-score is never exactly either)."""

from __future__ import annotations

LOW, HIGH = 0.001, 0.999


def probability(value: float) -> str:
    """0.8613 -> "0.861"; 0.99996 -> "above 0.999"; 0.00002 -> "below 0.001"."""
    if value > HIGH:
        return f"above {HIGH}"
    if value < LOW:
        return f"below {LOW}"
    return f"{value:.3f}"
