"""The drift report: one self-contained HTML page (inline CSS and SVG, no scripts, no links out).

The page holds no timestamp, so the same comparison gives the same bytes (and the same
content-addressed URI in the artifact store).
"""

from __future__ import annotations

from html import escape

from odp.ml.drift import ColumnDrift, DriftResult

__all__ = ["render_drift_report"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1f2933}
h1{font-size:1.5rem;margin-bottom:.25rem} .meta{color:#52606d;margin-top:0}
.verdict{display:inline-block;padding:.3rem .8rem;border-radius:1rem;font-weight:600}
.drift{background:#fde2e1;color:#a61b1b} .no_drift{background:#def7ec;color:#03543f}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}
th,td{border-bottom:1px solid #e4e7eb;padding:.35rem .7rem;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.drifted td{background:#fff5f5} .skipped{color:#9aa5b1}
section{margin:1.5rem 0} h2{font-size:1.1rem}
.legend span{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 .8rem}
"""

_REF = "#7b93db"
_CUR = "#f0a04b"


def render_drift_report(
    result: DriftResult, *, title: str = "Data drift report", reference: str = "", current: str = ""
) -> str:
    """The report as HTML text."""
    t = result.thresholds
    rows = "\n".join(_row(c) for c in result.columns)
    sections = "\n".join(_section(c) for c in result.columns if c.kind != "skipped")
    drifted = ", ".join(escape(c) for c in result.drifted_columns) or "none"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>{_CSS}</style></head><body>
<h1>{escape(title)}</h1>
<p class="meta">reference: {escape(reference)} ({result.reference_rows} rows) ·
current: {escape(current)} ({result.current_rows} rows)</p>
<p><span class="verdict {result.verdict}">{result.verdict.replace("_", " ")}</span>
&nbsp;{len(result.drifted_columns)} of {len(result.compared)} columns drifted
({result.drift_share:.0%}): {drifted}</p>
<p class="meta">A column drifts when its PSI is at least {t.psi:g} <em>and</em> its test
(Kolmogorov-Smirnov for numbers, chi-square for categories) gives p &lt; {t.p_value:g}
{"after the Holm-Bonferroni correction for the number of columns" if t.correction == "holm" else ""}.
The dataset drifts when more than {t.share:.0%} of the columns drift.</p>
<table><thead><tr><th>column</th><th>kind</th><th>test</th><th>statistic</th><th>p-value</th>
<th>adjusted p</th><th>PSI</th><th>drifted</th><th>nulls (ref → cur)</th><th>note</th></tr></thead>
<tbody>
{rows}
</tbody></table>
<p class="legend">distributions:<span style="background:{_REF}"></span>reference
<span style="background:{_CUR}"></span>current</p>
{sections}
</body></html>
"""


def _num(value: float | None, digits: int = 4) -> str:
    return "" if value is None else f"{value:.{digits}g}"


def _row(c: ColumnDrift) -> str:
    cls = "drifted" if c.drifted else ("skipped" if c.kind == "skipped" else "")
    nulls = f"{c.reference_null_share:.1%} → {c.current_null_share:.1%}"
    return (
        f'<tr class="{cls}"><td>{escape(c.column)}</td><td>{c.kind}</td><td>{c.test}</td>'
        f'<td class="num">{_num(c.statistic)}</td><td class="num">{_num(c.p_value)}</td>'
        f'<td class="num">{_num(c.p_value_adjusted)}</td>'
        f'<td class="num">{_num(c.psi)}</td><td>{"yes" if c.drifted else "no"}</td>'
        f"<td>{nulls}</td><td>{escape(c.note)}</td></tr>"
    )


def _section(c: ColumnDrift) -> str:
    return (
        f"<section><h2>{escape(c.column)} {'— drifted' if c.drifted else ''}</h2>"
        f"{_bars(c)}</section>"
    )


def _bars(c: ColumnDrift, width: int = 640, bar_height: int = 9) -> str:
    """Side-by-side horizontal bars of the reference and current share per bin."""
    label_width = 170
    scale = (width - label_width - 60) / max([*c.reference_dist, *c.current_dist, 1e-9])
    row = bar_height * 2 + 6
    height = row * len(c.bins) + 4
    parts = [f'<svg width="{width}" height="{height}" role="img" aria-label="{escape(c.column)}">']
    for i, label in enumerate(c.bins):
        y = i * row + 2
        ref, cur = c.reference_dist[i], c.current_dist[i]
        parts.append(
            f'<text x="0" y="{y + bar_height + 3}" font-size="11">{escape(label[:28])}</text>'
            f'<rect x="{label_width}" y="{y}" width="{ref * scale:.1f}" height="{bar_height}" '
            f'fill="{_REF}"/>'
            f'<rect x="{label_width}" y="{y + bar_height}" width="{cur * scale:.1f}" '
            f'height="{bar_height}" fill="{_CUR}"/>'
            f'<text x="{label_width + max(ref, cur) * scale + 4:.1f}" y="{y + bar_height + 3}" '
            f'font-size="10" fill="#52606d">{ref:.1%} / {cur:.1%}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
