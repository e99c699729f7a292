"""Facts from the explanation: region levels, the most and least important regions, the
heatmaps' parameters and the output images. A comparison without heatmaps (verification only)
gets facts that say so, so questions about regions are answered honestly."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from core.comparison import METHODS, REGIONS, Comparison
from core.qa.facts import Fact, fmt_number, join_words, photo_name
from core.table import MEAN, RATIO, least_important, most_important, ranked

NO_MAPS = "No heatmaps or region table were computed for this comparison"


def region_facts(c: Comparison) -> Iterator[Fact]:
    tables = {side: t for side, t in (c.tables or {}).items() if t}
    if not tables:
        yield Fact(
            "regions.none", "regions",
            f"{NO_MAPS} (verification only), so I cannot say which face regions mattered.",
            NO_MAPS,
            keys=("Which face regions were important?", "What do the heatmaps show?"),
        )
    for side in ("pair", "A", "B"):
        if side in tables:
            yield from _table_facts(side, tables[side])
    if tables:
        names = [r for r in REGIONS if any(r in t for t in tables.values())]
        yield Fact(
            "table.regions", "regions",
            f"The explainability table rates {len(names)} facial regions, named from the "
            "person's own point of view (their left eye appears on the viewer's right): "
            f"{join_words(names)}.",
            join_words(names),
            keys=("Which face regions does the table cover?", "What regions are there?"),
            cues=('regions', 'list', 'which', 'covered'),
        )
    if c.saliency:
        yield _params_fact(c.saliency)
    yield _outputs_fact(c, bool(tables))


def _where(side: str) -> str:
    return "Over both photos" if side == "pair" else f"In {photo_name(side)}"


def _table_facts(side: str, table: dict[str, dict[str, float]]) -> Iterator[Fact]:
    where = _where(side)
    order = ranked(table)
    keys = {r: (round(table[r][MEAN], 9), -round(table[r][RATIO], 9)) for r in order}
    for region in [r for r in REGIONS if r in table] + [r for r in table if r not in REGIONS]:
        row = table[region]
        mean = f"mean importance level of {fmt_number(row[MEAN])}"
        levels = ", ".join(f"{fmt_number(row[m])} under {m}" for m in METHODS if m in row)
        place = 1 + sum(k < keys[region] for k in keys.values())
        tied = "tied " if sum(k == keys[region] for k in keys.values()) > 1 else ""
        yield Fact(
            f"region.{side}.{region}", "region",
            f"{where}, the {region} {'have' if region.endswith('s') else 'has'} a {mean} (1 = most important, 5 = least) and a Ratio "
            f"of 1s of {fmt_number(row[RATIO])}; by method its level is {levels}; it ranks "
            f"{tied}{_ordinal(place)} of {len(table)} regions.",
            mean,
            keys=(f"What is the importance of the {region}{_in(side)}?",
                  f"How much did the {region} matter{_in(side)}?"),
            region=region, side=side, because="saliency.levels",
        )
    for polarity, pick in (("most", most_important), ("least", least_important)):
        best = pick(table)
        row = table[best[0]]
        names = join_words([f"the {r}" for r in best])
        stats = f"mean level {fmt_number(row[MEAN])} and Ratio of 1s {fmt_number(row[RATIO])}"
        text = (
            f"{where}, the {polarity} important face region is {names} ({stats})."
            if len(best) == 1
            else f"{where}, the {polarity} important face regions, tied at {stats}, are {names}."
        )
        yield Fact(
            f"ranking.{side}.{polarity}", "ranking", text, names,
            keys=(f"Which face region was the {polarity} important{_in(side)}?",
                  f"What feature mattered {polarity} for the decision{_in(side)}?"),
            side=side, polarity=polarity, because="saliency.levels",
        )
    listing = ", ".join(f"{r} ({fmt_number(table[r][MEAN])})" for r in order)
    yield Fact(
        f"ranking.{side}.order", "ranking",
        f"{where}, the regions from most to least important (mean level) are: {listing}.",
        listing,
        keys=(f"How do the face regions rank by importance{_in(side)}?",
              f"Can you rank all the regions{_in(side)}?"),
        cues=("order", "rank", "sort", "list", "all"),
        side=side, because="saliency.levels",
    )


def _in(side: str) -> str:
    return "" if side == "pair" else f" in {photo_name(side)}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _params_fact(saliency: Mapping[str, Any]) -> Fact:
    profile = str(saliency.get("profile", "custom"))
    size = saliency.get("size")
    parts = [f"the {profile} MinPlus profile"]
    if size:
        parts.append(f"on {size}x{size} aligned faces")
    if "nh" in saliency and "d" in saliency:
        parts.append(f"with Gaussian blobs {saliency['nh']} pixels wide every {saliency['d']} pixels")
    if "tmax" in saliency:
        parts.append(f"at most {saliency['tmax']} greedy steps")
    if "th" in saliency:
        parts.append(f"stopping threshold {saliency['th']}")
    return Fact(
        "saliency.params", "saliency",
        "The heatmaps were computed with " + ", ".join(parts) + ".",
        f"the {profile} MinPlus profile",
        keys=("What parameters were used for the heatmaps?", "Which saliency profile was used?"),
        cues=('parameter', 'profile', 'setting', 'blob', 'nh', 'tmax'),
        because="method.minplus",
    )


def _outputs_fact(c: Comparison, has_tables: bool) -> Fact:
    files = sorted(c.artefacts.values()) if c.artefacts else []
    listing = f" The files are: {', '.join(files)}." if files else ""
    if c.saliency or has_tables:
        text = (
            "The output images, shown together in a collage, are saliency heatmaps: for each photo, one map per method "
            "(S0-, S1-, S0+, S1+ and AVG) laid over the aligned face, where red marks the parts "
            "that mattered most for the similarity score and blue the least, next to a table "
            "that rates nine facial regions from 1 (most important) to 5 (least)." + listing
        )
        span = "saliency heatmaps"
    else:
        text = f"{NO_MAPS}, so there are no output images to explain." + listing
        span = NO_MAPS
    return Fact(
        "outputs.images", "outputs", text, span,
        keys=("What are the output images?", "What do the pictures show?", "What are these images?",
              "What do the heatmaps show?", "What are these coloured heatmaps?"),
        cues=("image", "visuali", "figure", "collage", "overlay", "output", "heatmap", "maps"),
        because="glossary.heatmap",
    )
