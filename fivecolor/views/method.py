"""The overview's method box: how this month was scored, in five lines a committee can check.

The weights as each indicator's share of the composite (percentages that add up to 100 after
any renormalisation), the normalisation and aggregation, the colour cut-offs, where the data
came from and when the page was built. :func:`method_facts` gives the lines as (label, value)
pairs; :func:`method_box_html` the box, from an autoescaped Jinja2 template.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import jinja2

from fivecolor.analysis.published import MethodChange
from fivecolor.scoring.bands import BANDS
from fivecolor.scoring.pipeline import ScoreResult
from fivecolor.views.common import colour_counts_text, indicator_labels, listed
from fivecolor.views.text import Language, band_label, text

__all__ = ["method_box_html", "method_change_text", "method_facts"]

_BOX = jinja2.Environment(autoescape=True).from_string(
    '<div class="fc-method" role="note"><p class="fc-method-title">{{ title }}</p>\n'
    '<table class="fc-method-table">\n'
    '{% for label, value in facts %}<tr><th scope="row">{{ label }}</th><td>{{ value }}</td></tr>\n'
    "{% endfor %}</table></div>"
)


#: The name of each normalisation, aggregation and weighting scheme (their parameter values).
_METHOD_KEYS: dict[str, str] = {
    "goalposts": "method.goalposts",
    "minmax": "method.minmax",
    "zscore": "method.zscore",
    "rank": "method.rank",
    "arithmetic": "method.arithmetic",
    "geometric": "method.geometric",
    "given": "method.given",
    "equal": "method.equal",
    "entropy": "method.entropy",
    "critic": "method.critic",
    "pca": "method.pca",
    "ahp": "method.ahp",
}


def weight_shares(result: ScoreResult) -> list[tuple[str, float]]:
    """Each indicator's label and its share of the composite in percent, largest first."""
    shares = result.weights.effective / result.weights.effective.sum() * 100
    labels = indicator_labels(result)
    pairs = sorted(zip(labels, shares, strict=True), key=lambda pair: -pair[1])
    return [(str(label), float(share)) for label, share in pairs]


def _bands(result: ScoreResult, language: Language) -> str:
    bands = result.params.bands
    names = [band_label(band, language) for band in BANDS]
    if bands.method == "cutoffs":
        steps = [f"{name} ≥ {cut:g}" for name, cut in zip(names, bands.cutoffs, strict=False)]
        return " > ".join([*steps, f"{names[-1]} < {bands.cutoffs[-1]:g}"])
    steps = [
        text("method.quantile", language, band=name, share=f"{1 - q:.0%}")
        for name, q in zip(names, bands.quantiles, strict=False)
    ]
    return listed(steps, language)


def _source(origin: str) -> str:
    """A file by its name; a database (already without its password) as it is named."""
    path = Path(origin)
    return path.name if path.is_absolute() and path.suffix else origin


def method_facts(result: ScoreResult, built: datetime) -> list[tuple[str, str]]:
    """The method box's lines, (label, value), in the report's language."""
    params = result.params
    language = params.language
    weights = listed([f"{label} {share:.0f}%" for label, share in weight_shares(result)], language)
    scheme = text(_METHOD_KEYS[params.weights_scheme.value], language)
    inputs = result.data.inputs
    sources = listed(
        [
            f"{_source(inputs[role].origin)}"
            for role in ("indicators", "stations")
            if role in inputs
        ],
        language,
    )
    return [
        (
            text("method.weights", language),
            text("method.weights_value", language, weights=weights, scheme=scheme),
        ),
        (
            text("method.scoring", language),
            text(
                "method.scoring_value",
                language,
                normalisation=text(_METHOD_KEYS[params.normalisation.value], language),
                aggregation=text(_METHOD_KEYS[params.aggregation.value], language),
            ),
        ),
        (text("method.bands", language), _bands(result, language)),
        (text("method.data", language), sources),
        (text("method.built", language), f"{built:%Y-%m-%d %H:%M %Z}".strip()),
    ]


def method_box_html(result: ScoreResult, built: datetime) -> str:
    """The method box as HTML (every value escaped)."""
    language = result.params.language
    return _BOX.render(title=text("method.title", language), facts=method_facts(result, built))


def method_change_text(change: MethodChange, language: Language) -> str:
    """One sentence: last month under this month's method, beside what was published (plain
    text; escape it for HTML)."""

    return text(
        "overview.method_change",
        language,
        period=change.period,
        n=change.recoloured,
        published=colour_counts_text(change.published, language),
        rescored=colour_counts_text(change.rescored, language),
    )
