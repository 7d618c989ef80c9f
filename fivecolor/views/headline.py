"""The overview's 本月要点 (this month at a glance): a strip of key figures and a few sentences.

:func:`headline_facts` gathers what the committee asks first — the colour counts and their
change since last month, who moved (and whether by less than ``bands.borderline`` points past
the cut-off), the stations within ``bands.borderline`` points of a cut-off, the first stage
target not yet met with its forecast, and the indicator costing the company the most points —
as a frozen :class:`Headline`. :func:`headline_sentences` says it in the report's language and
:func:`headline_html` renders the strip and the sentences from an autoescaped Jinja2 template.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import jinja2
import numpy as np
import pandas as pd

from fivecolor.analysis import month as analysis
from fivecolor.analysis.actions import stage_progress
from fivecolor.analysis.sensitivity.cutoffs import cutoff_distances
from fivecolor.scoring.pipeline import ScoreResult
from fivecolor.views.common import indicator_labels, listed, station_names
from fivecolor.views.text import BAND_LABELS, BANDS, Language, text

__all__ = [
    "CLOSEST_SHOWN",
    "MOVERS_NAMED",
    "Headline",
    "Mover",
    "NearCutoff",
    "StageOutlook",
    "Weakest",
    "headline_facts",
    "headline_html",
    "headline_sentences",
]

#: Borderline stations named in the sentence, closest first.
CLOSEST_SHOWN = 3
#: Movers named in the sentence (biggest moves first), of the firm and of the borderline moves each.
MOVERS_NAMED = 4


@dataclass(frozen=True)
class Mover:
    """A station whose colour changed since last month; ``past_cutoff`` is how far (points) its
    score now lies beyond the boundary it crossed."""

    station_id: str
    name: str
    band_from: str
    band_to: str
    past_cutoff: float
    borderline: bool


@dataclass(frozen=True)
class NearCutoff:
    """A station within the borderline margin of a boundary: ``below`` the next colour up, or
    ``above`` its own colour's boundary (whichever is closer), by ``distance`` points."""

    station_id: str
    name: str
    band: str
    side: str
    distance: float


@dataclass(frozen=True)
class StageOutlook:
    """The first stage toward all red not yet met (or the last one, when all are)."""

    label: str
    period: str
    target_count: int
    red_now: int
    to_go: int
    months_left: int
    forecast_red: int | None
    verdict: str | None


@dataclass(frozen=True)
class Weakest:
    """The indicator costing the stations the most composite points on average."""

    indicator: str
    label: str
    mean_points_lost: float
    weak_stations: int


@dataclass(frozen=True)
class Headline:
    """The month's key facts (see the module's docstring); ``changes`` is ``None`` without a
    previous month."""

    period: str
    previous: str | None
    scored: int
    counts: Mapping[str, int]
    changes: Mapping[str, int] | None
    movers: tuple[Mover, ...]
    margin: float
    near_cutoff: tuple[NearCutoff, ...]
    stage: StageOutlook | None
    weakest: Weakest | None

    @property
    def moved_up(self) -> int:
        return sum(BANDS.index(m.band_to) < BANDS.index(m.band_from) for m in self.movers)

    @property
    def moved_down(self) -> int:
        return len(self.movers) - self.moved_up


def _movers(result: ScoreResult, distances: pd.DataFrame) -> tuple[Mover, ...]:
    moved = analysis.movers(result)
    margin = result.params.bands.borderline
    near = distances.loc[moved["station_id"]]
    went_up = (moved["change"] == "up").to_numpy()
    # up: the score's lead over its new colour's boundary; down: its gap below the old one
    past = np.where(went_up, near["distance_down"], near["distance_up"]).astype(float)
    names = station_names(result).loc[moved["station_id"]].to_numpy()
    return tuple(
        Mover(str(sid), str(name), str(before), str(after), float(p), bool(p <= margin))
        for sid, name, before, after, p in zip(
            moved["station_id"], names, moved["prev_band"], moved["band"], past, strict=True
        )
    )


def _near_cutoff(result: ScoreResult, distances: pd.DataFrame) -> tuple[NearCutoff, ...]:
    up = distances["distance_up"].to_numpy(dtype=float)
    down = distances["distance_down"].to_numpy(dtype=float)
    closest = np.fmin(up, down)  # NaN only for a station with neither boundary
    side = np.where(
        np.nan_to_num(up, nan=np.inf) <= np.nan_to_num(down, nan=np.inf), "below", "above"
    )
    with np.errstate(invalid="ignore"):
        near = closest <= result.params.bands.borderline
    rank = distances["rank"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    order = np.lexsort((rank, closest))
    order = order[near[order]]
    names = station_names(result).loc[distances.index[order]].to_numpy()
    return tuple(
        NearCutoff(str(sid), str(name), str(band), str(s), float(d))
        for sid, name, band, s, d in zip(
            distances.index[order],
            names,
            distances["band"].to_numpy()[order],
            side[order],
            closest[order],
            strict=True,
        )
    )


def _stage(result: ScoreResult, forecast: pd.DataFrame | None) -> StageOutlook | None:
    progress = stage_progress(result)
    if progress.empty:
        return None
    open_stages = progress[~progress["met"]]
    row = (open_stages if len(open_stages) else progress).iloc[0]
    outlook = None
    if forecast is not None and len(forecast):
        match = forecast[forecast["stage"] == row["stage"]]
        outlook = match.iloc[0] if len(match) else None
    return StageOutlook(
        label=str(row["label"]) or str(row["stage"]),
        period=str(row["period"]),
        target_count=int(row["target_count"]),
        red_now=int(row["red_count"]),
        to_go=int(row["stations_to_go"]),
        months_left=int(row["months_left"]),
        forecast_red=None if outlook is None else int(outlook["forecast_red"]),
        verdict=None if outlook is None else str(outlook["verdict"]),
    )


def _weakest(result: ScoreResult) -> Weakest | None:
    lost = analysis.points_lost(result)  # (stations, indicators)
    if not np.isfinite(lost).any():
        return None
    mean = np.nanmean(np.where(np.isfinite(lost), lost, np.nan), axis=0)
    i = int(np.nanargmax(mean))
    key = str(result.data.indicators[i])
    weak = analysis.weak_indicators(result)
    return Weakest(
        indicator=key,
        label=str(indicator_labels(result).loc[key]),
        mean_points_lost=float(mean[i]),
        weak_stations=int((weak["indicator"] == key).sum()),
    )


def headline_facts(result: ScoreResult, forecast: pd.DataFrame | None = None) -> Headline:
    """The month's key facts; ``forecast`` is the stage forecast
    (:func:`fivecolor.analysis.forecast.stage_forecast`, the ``forecast`` action table) whose
    verdict the stage sentence gives, when known."""
    summary = analysis.colour_summary(result).set_index("band")
    p = result.previous_index()
    distances = cutoff_distances(result).set_index("station_id")
    return Headline(
        period=result.params.period,
        previous=None if p is None else str(result.periods[p]),
        scored=int(summary["count"].sum()),
        counts=dict(
            zip(BANDS, summary["count"].reindex(list(BANDS)).astype(int).tolist(), strict=True)
        ),
        changes=None
        if p is None
        else dict(
            zip(BANDS, summary["change"].reindex(list(BANDS)).astype(int).tolist(), strict=True)
        ),
        movers=_movers(result, distances) if p is not None else (),
        margin=float(result.params.bands.borderline),
        near_cutoff=_near_cutoff(result, distances),
        stage=_stage(result, forecast),
        weakest=_weakest(result),
    )


# --------------------------------------------------------------------------- sentences
def signed(value: int) -> str:
    """A change as ``+2``, ``-1`` (with a typographic minus) or ``±0``."""
    return "±0" if value == 0 else f"{value:+d}".replace("-", "\u2212")


def _colour(band: str, language: Language) -> str:
    """The colour's short name (红, red) for the from→to of a move."""
    return dict(zip(BANDS, text("headline.colours", language).split(), strict=True))[band]


def _counts_sentence(facts: Headline, language: Language) -> str:
    if facts.changes is None:
        counts = listed((f"{BAND_LABELS[b][language]} {facts.counts[b]}" for b in BANDS), language)
        return text("headline.counts_first", language, n=facts.scored, counts=counts)
    bracket = "（{}）" if language == "zh" else " ({})"
    counts = listed(
        (
            f"{BAND_LABELS[b][language]} {facts.counts[b]}{bracket.format(signed(facts.changes[b]))}"
            for b in BANDS
        ),
        language,
    )
    return text("headline.counts", language, n=facts.scored, counts=counts, previous=facts.previous)


def _moves_text(movers: list[Mover], language: Language) -> str:
    """The first :data:`MOVERS_NAMED` moves, ``梅林供电所 黄→绿``, a borderline one with the points
    it lies past the cut-off (``江口供电所 绿→蓝 0.08``)."""
    named = [
        f"{m.name} {_colour(m.band_from, language)}→{_colour(m.band_to, language)}"
        + (f" {m.past_cutoff:.2f}" if m.borderline else "")
        for m in movers[:MOVERS_NAMED]
    ]
    etc = text("headline.etc", language) if len(movers) > MOVERS_NAMED else ""
    return listed(named, language) + etc


def _movers_sentence(facts: Headline, language: Language) -> str:
    if facts.changes is None:
        return ""
    if not facts.movers:
        return text("headline.no_movers", language)
    margin = f"{facts.margin:g}"
    firm = [m for m in facts.movers if not m.borderline]
    borderline = [m for m in facts.movers if m.borderline]
    parts = []
    if firm:
        names = _moves_text(firm, language)
        parts.append(text("headline.firm_moves", language, names=names, n=len(firm), margin=margin))
    if borderline:
        names = _moves_text(borderline, language)
        parts.append(
            text(
                "headline.borderline_moves", language, names=names, n=len(borderline), margin=margin
            )
        )
    return text(
        "headline.movers",
        language,
        up=facts.moved_up,
        down=facts.moved_down,
        parts=("；" if language == "zh" else "; ").join(parts),
    )


_SIDE_KEYS = {"below": "headline.below", "above": "headline.above"}


def _near_sentence(facts: Headline, language: Language) -> str:
    if not facts.near_cutoff:
        return text("headline.near_none", language, margin=f"{facts.margin:g}")
    closest = listed(
        (
            text(_SIDE_KEYS[n.side], language, name=n.name, points=f"{n.distance:.2f}")
            for n in facts.near_cutoff[:CLOSEST_SHOWN]
        ),
        language,
    )
    return text(
        "headline.near",
        language,
        n=len(facts.near_cutoff),
        margin=f"{facts.margin:g}",
        closest=closest,
    )


_VERDICT_KEYS = {
    "met": "forecast.met",
    "on track": "forecast.on_track",
    "off track": "forecast.off_track",
}


def _stage_sentence(facts: Headline, language: Language) -> str:
    stage = facts.stage
    if stage is None:
        return ""
    if stage.to_go == 0:
        return text("headline.stage_met", language, stage=stage.label, period=stage.period)
    sentence = text(
        "headline.stage",
        language,
        stage=stage.label,
        period=stage.period,
        need=stage.target_count,
        now=stage.red_now,
        to_go=stage.to_go,
        months=stage.months_left,
    )
    if stage.verdict is not None and stage.forecast_red is not None:
        sentence += text(
            "headline.stage_outlook",
            language,
            forecast=stage.forecast_red,
            verdict=text(_VERDICT_KEYS[stage.verdict], language),
        )
    else:
        sentence += "。" if language == "zh" else "."
    return sentence


def _weakest_sentence(facts: Headline, language: Language) -> str:
    weakest = facts.weakest
    if weakest is None:
        return ""
    return text(
        "headline.weakest",
        language,
        indicator=weakest.label,
        points=f"{weakest.mean_points_lost:.1f}",
        n=weakest.weak_stations,
    )


def headline_sentences(facts: Headline, language: Language) -> list[str]:
    """Three to five plain sentences (escape them for HTML): counts and their change, who moved,
    the stations near a cut-off, the stage target and its outlook, the weakest indicator."""
    sentences = (
        _counts_sentence(facts, language),
        _movers_sentence(facts, language),
        _near_sentence(facts, language),
        _stage_sentence(facts, language),
        _weakest_sentence(facts, language),
    )
    return [s for s in sentences if s]


# --------------------------------------------------------------------------- the strip
_STRIP = jinja2.Environment(autoescape=True).from_string(
    '<section class="fc-headline" aria-labelledby="fc-headline-title">'
    '<h2 id="fc-headline-title">{{ title }}</h2>\n<ul class="fc-kpis">\n'
    "{% for kpi in kpis %}"
    '<li class="fc-kpi{% if kpi.band %} fc-kpi-{{ kpi.band }}{% endif %}">'
    '<span class="fc-kpi-value">{{ kpi.value }}</span>'
    '{% if kpi.change %}<span class="fc-kpi-change">{{ kpi.change }}</span>{% endif %}'
    '<span class="fc-kpi-label">{{ kpi.label }}</span></li>\n'
    "{% endfor %}</ul>\n"
    '<ul class="fc-headline-points">{% for s in sentences %}<li>{{ s }}</li>{% endfor %}</ul>'
    "</section>"
)


def _kpis(facts: Headline, language: Language) -> list[dict[str, str]]:
    def change(band: str) -> str:
        if facts.changes is None:
            return ""
        return text("headline.kpi_change", language, change=signed(facts.changes[band]))

    kpis = [
        {
            "band": b,
            "value": str(facts.counts[b]),
            "change": change(b),
            "label": BAND_LABELS[b][language],
        }
        for b in ("red", "yellow")
    ]
    if facts.stage is not None:
        kpis.append(
            {
                "band": "",
                "value": f"{facts.stage.red_now} / {facts.stage.target_count}",
                "change": text("headline.kpi_to_go", language, n=facts.stage.to_go),
                "label": text("headline.kpi_stage", language, period=facts.stage.period),
            }
        )
    if facts.changes is not None:
        kpis.append(
            {
                "band": "",
                "value": f"▲{facts.moved_up} ▼{facts.moved_down}",
                "change": "",
                "label": text("headline.kpi_moved", language),
            }
        )
    kpis.append(
        {
            "band": "",
            "value": str(len(facts.near_cutoff)),
            "change": "",
            "label": text("headline.kpi_near", language, margin=f"{facts.margin:g}"),
        }
    )
    return kpis


def headline_html(facts: Headline, language: Language) -> str:
    """The 本月要点 block: the key-figure strip, then the sentences (every value escaped)."""
    return _STRIP.render(
        title=text("headline.title", language),
        kpis=_kpis(facts, language),
        sentences=headline_sentences(facts, language),
    )
