"""The station card: the top of a station page, one screen and one A4 page (一所一策).

The station's name with its colour, score, rank and change; the points to the next colour and
above the boundary of the colour below; the plan to the next colour with one target per
indicator and its source; the partner station (linked); the helping departments; the
improvement projects' status. :func:`station_card_facts` gathers them as a frozen
:class:`StationCard` from the month's action tables (those published in ``actions/``);
:func:`station_card_html` renders it from an autoescaped Jinja2 template.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import jinja2
import numpy as np
import pandas as pd

from fivecolor.analysis.sensitivity.cutoffs import cutoff_distances
from fivecolor.scoring.pipeline import ScoreResult
from fivecolor.views.action_tables import plan_sentence, plan_targets
from fivecolor.views.common import county_names, indicator_labels, listed, month_frame, names_of
from fivecolor.views.text import BAND_LABELS, Language, text

__all__ = ["StationCard", "station_card_facts", "station_card_html"]


@dataclass(frozen=True)
class StationCard:
    """What the card shows, already in the report's language (plain text; the template escapes).

    ``partners`` are (station id, name, role) triples; ``to_next``/``above_lower`` are ``None``
    for red (nothing above) and yellow (nothing below).
    """

    station_id: str
    name: str
    county: str
    band: str
    band_label: str
    score: float | None
    rank: int | None
    stations: int
    score_change: float | None
    change: str
    previous_band_label: str
    next_band_label: str
    to_next: float | None
    lower_band_label: str
    above_lower: float | None
    plan: str
    targets: tuple[str, ...]
    partners: tuple[tuple[str, str, str], ...]
    departments: tuple[str, ...]
    projects: tuple[str, ...]


def _finite(value) -> float | None:
    value = float(value)
    return value if np.isfinite(value) else None


_ROLE_KEYS = {True: "action.role_mentor", False: "action.role_partner"}


def _bracketed(value: str, language: Language) -> str:
    return f"（{value}）" if language == "zh" else f" ({value})"


def _partners(result: ScoreResult, pairs: pd.DataFrame, station_id: str):
    """The station's pairs: (other station's id, its name, the station's role in brackets)."""
    language = result.params.language
    is_mentor = (pairs["mentor_id"] == station_id).to_numpy()
    mine = is_mentor | (pairs["partner_id"] == station_id).to_numpy()
    others = np.where(is_mentor, pairs["partner_id"], pairs["mentor_id"])[mine]
    roles = [_bracketed(text(_ROLE_KEYS[bool(m)], language), language) for m in is_mentor[mine]]
    return tuple(
        (str(sid), str(name), role)
        for sid, name, role in zip(others, names_of(result, others), roles, strict=True)
    )


def _departments(result: ScoreResult, departments: pd.DataFrame, station_id: str):
    """Each helping department with the indicators it helps on: ``运维检修部（故障停电指数）``."""
    params = result.params
    mine = departments[departments["station_id"] == station_id]
    labels = indicator_labels(result)
    grouped = mine.groupby("department", sort=False)["indicator"].agg(list)
    return tuple(
        (params.label(params.departments[str(d)]) if d in params.departments else str(d))
        + _bracketed(listed((labels.get(k, k) for k in keys), params.language), params.language)
        for d, keys in grouped.items()
    )


_STATUS_KEYS = {
    "met": "action.status_met",
    "not met": "action.status_not_met",
    "not started": "action.status_not_started",
    "no data": "action.status_no_data",
}


def _projects(result: ScoreResult, progress: pd.DataFrame | None, station_id: str):
    if progress is None:
        return ()
    language = result.params.language
    mine = progress[progress["station_id"] == station_id]
    trend = {True: " ▲", False: " ▼"}
    return tuple(
        f"{title}: "
        f"{text(_STATUS_KEYS[status], language) if status in _STATUS_KEYS else status}"
        f"{trend[bool(improved)] if isinstance(improved, bool | np.bool_) else ''}"
        for title, status, improved in zip(
            mine["title"], mine["status"], mine["improved"], strict=True
        )
    )


def station_card_facts(
    result: ScoreResult,
    station_id: str,
    tables: dict[str, pd.DataFrame],
    progress: pd.DataFrame | None = None,
) -> StationCard:
    """The card of one station; ``tables`` are the month's action tables
    (:func:`fivecolor.analysis.action_files.action_tables`: ``plan``, ``pairing``,
    ``departments``), ``progress`` its projects' progress when there is a projects file.
    ``KeyError`` for a station not among the month's."""
    language = result.params.language
    frame = month_frame(result).set_index("station_id")
    row = cast(pd.Series, frame.loc[station_id])  # one row: the station ids are unique
    distance = cast(pd.Series, cutoff_distances(result).set_index("station_id").loc[station_id])
    next_up, next_down = str(distance["next_up"]), str(distance["next_down"])
    t, p = result.period_index, result.previous_index()
    s = result.data.station_ids.get_loc(station_id)
    before = result.composite[p, s] if p is not None else np.nan
    pairing = tables["pairing"]
    pairs = pairing[pairing["status"] == "paired"] if "status" in pairing else pairing
    return StationCard(
        station_id=station_id,
        name=str(row["station"]),
        county=str(county_names(result).loc[station_id]),
        band=str(row["band"]),
        band_label=str(row["band_label"]),
        score=_finite(result.composite[t, s]),
        rank=None if pd.isna(row["rank"]) else int(float(row["rank"])),
        stations=len(frame),
        score_change=_finite(result.composite[t, s] - before),
        change=str(row["change"]),
        previous_band_label=str(row["prev_band_label"]),
        next_band_label=BAND_LABELS[next_up][language] if next_up else "",
        to_next=_finite(distance["distance_up"]),
        lower_band_label=BAND_LABELS[next_down][language] if next_down else "",
        above_lower=_finite(distance["distance_down"]),
        plan=plan_sentence(result, tables["plan"], station_id),
        targets=tuple(plan_targets(result, tables["plan"], station_id)),
        partners=_partners(result, pairs, station_id),
        departments=_departments(result, tables["departments"], station_id),
        projects=_projects(result, progress, station_id),
    )


_CARD = jinja2.Environment(autoescape=True).from_string(
    '<section class="fc-card" aria-label="{{ name }}">\n'
    '<p class="fc-card-context">{{ context }}</p>\n'
    '<h1 class="fc-card-title">{% if band %}<span class="fc-chip fc-chip-{{ band }}" aria-hidden="true">'
    "</span>{% endif %}{{ name }}</h1>\n"
    '<ul class="fc-card-figures">{% for label, value in figures %}'
    '<li><span class="fc-kpi-label">{{ label }}</span> <strong>{{ value }}</strong></li>'
    "{% endfor %}</ul>\n"
    '{% if distances %}<p class="fc-card-distances">{{ distances }}</p>{% endif %}\n'
    '<div class="fc-card-rows">\n'
    "{% if plan or targets %}"
    '<div class="fc-card-label">{{ labels.plan }}</div><div>{{ plan }}'
    '{% if targets %}<ul class="fc-card-targets">{% for t in targets %}<li>{{ t }}</li>{% endfor %}'
    "</ul>{% endif %}</div>{% endif %}\n"
    '<div class="fc-card-label">{{ labels.partner }}</div><div>'
    "{% for sid, pname, role in partners %}"
    '<a href="{{ pages }}{{ sid }}.html">{{ pname }}</a>{{ role }}{% if not loop.last %}{{ sep }}{% endif %}'
    "{% else %}{{ labels.none }}{% endfor %}</div>\n"
    '<div class="fc-card-label">{{ labels.departments }}</div>'
    "<div>{{ departments or labels.none }}</div>\n"
    '<div class="fc-card-label">{{ labels.projects }}</div><div>{{ projects or labels.none }}</div>\n'
    "</div></section>"
)


def _figures(card: StationCard, language: Language) -> list[tuple[str, str]]:
    figures = [(text("table.band", language), card.band_label)]
    if card.score is not None:
        figures.append((text("table.score", language), f"{card.score:.2f}"))
    if card.rank is not None:
        figures.append((text("table.rank", language), f"{card.rank} / {card.stations}"))
    if card.score_change is not None:
        arrow = {"up": " ▲", "down": " ▼"}.get(card.change, "")
        move = (
            f" · {card.previous_band_label} → {card.band_label}"
            if card.change in ("up", "down")
            else ""
        )
        change = f"{card.score_change:+.2f}".replace("-", "\u2212")
        figures.append((text("card.change", language), f"{change}{arrow}{move}"))
    return figures


def _distances(card: StationCard, language: Language) -> str:
    parts = []
    if card.to_next is not None:
        parts.append(
            text("card.to_next", language, band=card.next_band_label, points=f"{card.to_next:.2f}")
        )
    if card.above_lower is not None:
        parts.append(
            text(
                "card.above_lower",
                language,
                band=card.lower_band_label,
                points=f"{card.above_lower:.2f}",
            )
        )
    return ("；" if language == "zh" else "; ").join(parts)


def station_card_html(card: StationCard, language: Language, context: str, pages: str = "") -> str:
    """The card as HTML (every value escaped); ``context`` is the line above the name (report,
    page, month), ``pages`` where the partner's page is from here (siblings: ``""``)."""
    sep = "；" if language == "zh" else "; "
    return _CARD.render(
        name=card.name,
        context=f"{context} · {card.county}",
        band=card.band,
        figures=_figures(card, language),
        distances=_distances(card, language),
        plan=card.plan,
        targets=card.targets,
        partners=card.partners,
        departments=sep.join(card.departments),
        projects=sep.join(card.projects),
        pages=pages,
        sep=sep,
        labels={
            "plan": text("card.plan", language),
            "partner": text("card.partner", language),
            "departments": text("card.departments", language),
            "projects": text("card.projects", language),
            "none": text("card.none", language),
        },
    )
