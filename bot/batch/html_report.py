"""The run's HTML report: one file, everything inlined (images as data: URIs, CSS in a style
element, no script), and a Content-Security-Policy that forbids any request at all, so the
report opens offline and leaks nothing to the network. Pairs that need a look come first."""

from __future__ import annotations

import base64
import datetime as dt
from html import escape

from bot.batch.results import LOW_CONFIDENCE, PairResult, review_order, summary
from core.comparison import METHODS
from core.pic import percent

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{font-size:1.2em;margin:0 0 .4em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}
th{background:#f2f2f2}td.n{text-align:right}
section.pair{border:1px solid #bbb;border-radius:6px;padding:1em;margin:1.2em 0}
section.low{border-color:#d08000;background:#fff8ec}section.failed{border-color:#c00;background:#fff0f0}
.badge{display:inline-block;padding:0 .5em;border-radius:4px;font-size:.85em;margin-left:.4em}
.same{background:#dff3df}.diff{background:#e3e9ff}.warn{background:#ffe2b0}.bad{background:#ffc8c8}
img{max-width:100%;image-rendering:auto}.crops img{width:112px;height:112px;margin-right:.5em}
"""


DISAGREES = '<span class="badge bad">disagrees with the label</span>'


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _badges(r: PairResult) -> str:
    c = r.comparison
    if c is None:
        return '<span class="badge bad">failed</span>'
    out = (f'<span class="badge {"same" if c.same_person else "diff"}">{escape(c.decision)}</span>')
    if c.confidence < LOW_CONFIDENCE:
        out += '<span class="badge warn">low confidence</span>'
    if r.agrees is False:
        out += DISAGREES
    return out


def _region_table(r: PairResult) -> str:
    tables = r.comparison.tables if r.comparison else None
    if not tables:
        return ""
    head = "".join(f"<th>{escape(m)}</th>" for m in (*METHODS, "Mean", "Ratio of 1s"))
    rows = []
    for region, row in tables["pair"].items():
        cells = "".join(f'<td class="n">{int(row[m])}</td>' for m in METHODS)
        cells += f'<td class="n">{row["Mean"]:.1f}</td><td class="n">{row["Ratio of 1s"]:.0%}</td>'
        rows.append(f"<tr><th>{escape(region)}</th>{cells}</tr>")
    return ("<h3>Region table, both photos (1 = most important, 5 = least)</h3>"
            f"<table><tr><th>Region</th>{head}</tr>{''.join(rows)}</table>")


def _attributes(r: PairResult) -> str:
    c = r.comparison
    if c is None:
        return ""
    if not c.descriptions:
        return ("<p>Attribute descriptions: not available for this recognizer "
                "(run <code>facexplain train attributes</code>).</p>")
    lines = []
    for key, label in (("A", "Face 1"), ("B", "Face 2")):
        value = c.descriptions.get(key)
        caption = value.get("caption") if isinstance(value, dict) else value
        if caption:
            lines.append(f"<li>{label}: the template encodes {escape(str(caption))}</li>")
    return f"<h3>What the templates encode</h3><ul>{''.join(lines)}</ul>"


def _pair(r: PairResult) -> str:
    c = r.comparison
    label = "" if r.row.label is None else f" — label: {'same person' if r.row.label else 'different people'}"
    klass = "failed" if c is None else ("low" if c.confidence < LOW_CONFIDENCE or r.agrees is False else "")
    parts = [f'<section class="pair {klass}" id="pair-{r.row.number}">',
             f"<h2>Pair {r.row.number}{_badges(r)}</h2>",
             f"<p><code>{escape(str(r.row.a))}</code> vs <code>{escape(str(r.row.b))}</code>{escape(label)}</p>"]
    if c is None:
        parts.append(f"<p><strong>No comparison:</strong> {escape(r.error)}</p></section>")
        return "".join(parts)
    parts.append(f"<p><strong>Decision: {escape(c.decision.upper())}</strong> — confidence "
                 f"{escape(percent(c.confidence))} (PIC-score {c.pic:.3f}); similarity {c.score:.3f} "
                 f"(threshold {c.threshold:.3f}).<br>{escape(c.confidence_sentence)}</p>")
    if "collage" in r.images:
        parts.append(f'<img alt="heatmaps of pair {r.row.number}" src="{data_uri(r.images["collage"])}">')
    crops = "".join(f'<img alt="aligned face {k} of pair {r.row.number}" src="{data_uri(r.images[k])}">'
                    for k in ("A", "B") if k in r.images)
    if crops:
        parts.append(f'<p class="crops">{crops}</p>')
    parts += [_region_table(r), _attributes(r)]
    if r.folder:
        parts.append(f"<p>Files: <code>{escape(r.folder)}/</code> (collage, tables, comparison.json)</p>")
    parts.append("</section>")
    return "".join(parts)


def _index(ordered: list[PairResult]) -> str:
    rows = []
    for r in ordered:
        c = r.comparison
        verdict = "failed" if c is None else c.decision
        conf = "" if c is None else percent(c.confidence)
        score = "" if c is None else f"{c.score:.3f}"
        rows.append(f'<tr><td><a href="#pair-{r.row.number}">{r.row.number}</a></td>'
                    f"<td>{escape(r.row.a.name)}</td><td>{escape(r.row.b.name)}</td>"
                    f"<td>{escape(verdict)}{DISAGREES if r.agrees is False else ''}</td>"
                    f'<td class="n">{escape(conf)}</td><td class="n">{score}</td></tr>')
    return ("<table><tr><th>Pair</th><th>Photo 1</th><th>Photo 2</th><th>Decision</th>"
            f"<th>Confidence</th><th>Similarity</th></tr>{''.join(rows)}</table>")


def render_report(results: list[PairResult], *, title: str, about: str = "") -> str:
    ordered = review_order(results)
    counts = summary(results)
    count_rows = "".join(f'<tr><th>{escape(k)}</th><td class="n">{v}</td></tr>' for k, v in counts.items())
    made = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
            f"<h1>{escape(title)}</h1><p>{escape(about)} Made {made}.</p>"
            f"<h2>Summary</h2><table>{count_rows}</table>"
            f"<p>Low confidence means below {LOW_CONFIDENCE:.0%}. Pairs are listed failures first, "
            "then disagreements with the label, then from the least to the most confident.</p>"
            f"<h2>Pairs, in review order</h2>{_index(ordered)}"
            f"{''.join(_pair(r) for r in ordered)}</body></html>\n")
