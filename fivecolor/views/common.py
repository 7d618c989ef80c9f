"""Pieces every page's charts and tables share: grade, change, station and county names, the
month's frame of stations, per-county grades, the scores file and localised headers.

Names and labels are in the parameters' language (``result.params.language``), taken from
:mod:`fivecolor.views.text`. Station names are plain text: pandas escapes them in ``to_html()``
and in the notebook's HTML view, so a name such as ``<b>`` shows as typed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fivecolor.data.geography import COUNTIES
from fivecolor.scoring.per_result import once_per_result
from fivecolor.scoring.pipeline import ScoreResult
from fivecolor.views.scores_file import band_labels, scores_file
from fivecolor.views.text import BAND_LABELS, BANDS, CHANGE_LABELS, Language, text

__all__ = [
    "band_label_or_empty",
    "band_labels",
    "change_labels",
    "county_bands",
    "county_names",
    "headers",
    "indicator_labels",
    "month_frame",
    "names_of",
    "percent",
    "raw_text",
    "scores_file",
    "station_names",
    "station_position",
]

_COUNTY_EN = dict(zip(COUNTIES["name"], COUNTIES["name_en"], strict=True))


# --------------------------------------------------------------------------- labels
def band_label_or_empty(codes, language: Language) -> np.ndarray:
    """:func:`band_labels` of codes that may be missing (``None``/NaN read as no band)."""
    return band_labels(pd.Series(np.asarray(codes, dtype=object)).fillna(""), language)


def change_labels(changes: pd.Series | np.ndarray, language: Language) -> np.ndarray:
    """Change words for change codes (``"up"``, ``"down"``, ``"same"``, ``"new"``; else ``""``)."""
    lookup = {key: labels[language] for key, labels in CHANGE_LABELS.items()}
    return (
        pd.Series(np.asarray(changes, dtype=object)).map(lookup).fillna("").to_numpy(dtype=object)
    )


@once_per_result
def station_names(result: ScoreResult) -> pd.Series:
    """Display name per station id: ``name`` in zh; ``name_en`` in en, falling back to ``name``."""
    stations = result.data.stations
    names = stations["name"].astype(str)
    if result.params.language == "en" and "name_en" in stations:
        english = stations["name_en"].astype("string").str.strip()
        names = english.where(english.notna() & (english != ""), names).astype(str)
    return names.rename("name")


def names_of(result: ScoreResult, station_ids) -> np.ndarray:
    """Display names (:func:`station_names`) of station ids, ``""`` for an empty id."""
    names = station_names(result)
    ids = pd.Series(np.asarray(station_ids, dtype=object))
    return ids.map(names).fillna("").to_numpy(dtype=object)


@once_per_result
def county_names(result: ScoreResult) -> pd.Series:
    """County per station id, in English for en (names not on the base map stay as given)."""
    county = result.data.stations["county"].astype(str)
    if result.params.language == "en":
        county = county.map(_COUNTY_EN).fillna(county)
    return county.rename("county")


@once_per_result
def indicator_labels(result: ScoreResult) -> pd.Series:
    """Each indicator's label in the report's language, indexed by its key (catalogue order)."""
    params = result.params
    return pd.Series({key: params.label(spec.label) for key, spec in params.indicators.items()})


def station_position(result: ScoreResult, station_id: str) -> int:
    """The station's position among ``result.data.station_ids``; ``KeyError`` for an unknown id."""
    position = result.data.station_ids.get_indexer(pd.Index([station_id]))[0]
    if position < 0:
        raise KeyError(f"station {station_id!r} is not among the stations")
    return int(position)


def listed(items, language: Language) -> str:
    """Items in one sentence: 、 between them in Chinese, commas in English."""
    return ("、" if language == "zh" else ", ").join(items)


def colour_counts_text(counts, language: Language) -> str:
    """How many stations of each colour, best first: ``红色（优秀） 7、橙色（较好） 16、…``.

    ``counts`` maps a band (``red`` …) to its number of stations; a band it lacks counts 0.
    """
    return listed((f"{BAND_LABELS[b][language]} {counts.get(b, 0)}" for b in BANDS), language)


def headers(language: Language, **columns: str) -> dict[str, str]:
    """Column renaming: internal name -> localised header from the catalogue key."""
    return {column: text(key, language) for column, key in columns.items()}


# --------------------------------------------------------------------------- numbers as text
def percent(values, decimals: int = 1) -> np.ndarray:
    """Shares 0..1 as percentages rounded to ``decimals`` (NaN stays NaN)."""
    return np.round(np.asarray(values, dtype=float) * 100.0, decimals)


def raw_text(values: np.ndarray, units) -> list[str]:
    """Raw values as short text with their unit, e.g. ``4.78 %``; empty when missing."""
    return [
        "" if np.isnan(v) else f"{v:.4g} {u}".strip() for v, u in zip(values, units, strict=True)
    ]


# --------------------------------------------------------------------------- the month
@once_per_result
def month_frame(result: ScoreResult, period: str | None = None) -> pd.DataFrame:
    """One row per station for one month (default the reported one), best rank first.

    Columns ``station_id, station, county, score, rank, band, band_label, prev_band_label,
    change, change_label, lat, lon, staff``: codes (``band``, ``change``) plus their labels in
    the report's language, and the score rounded to one decimal. A station without a score
    has the ``no_score`` label as its grade name.
    """
    language = result.params.language
    table = result.table(period)
    stations = result.data.stations.loc[table["station_id"]]
    band_label = band_labels(table["band"], language)
    band_label[table["band"].to_numpy() == ""] = text("table.no_score", language)
    return pd.DataFrame(
        {
            "station_id": table["station_id"].to_numpy(),
            "station": station_names(result).loc[table["station_id"]].to_numpy(),
            "county": county_names(result).loc[table["station_id"]].to_numpy(),
            "score": np.round(table["score"].to_numpy(dtype=float), 1),
            "rank": table["rank"].to_numpy(),
            "band": table["band"].to_numpy(),
            "band_label": band_label,
            "prev_band_label": band_labels(table["prev_band"], language),
            "change": table["change"].to_numpy(),
            "change_label": change_labels(table["change"], language),
            "lat": stations["lat"].to_numpy(dtype=float),
            "lon": stations["lon"].to_numpy(dtype=float),
            "staff": stations["staff"].to_numpy(),
        }
    )


def _band_at(ordinal: float) -> str:
    """The grade at a position in :data:`BANDS` (red 0); empty for NaN (no scored station)."""
    return "" if np.isnan(ordinal) else BANDS[int(ordinal)]


def county_bands(result: ScoreResult) -> pd.DataFrame:
    """Per county this month: stations, stations of each grade, median score and median grade.

    Indexed by the county as in the stations table (the base map's name); ``county_label`` is
    its name in the report's language. The median grade is the lower median of the scored
    stations' grades (red best), so it is a grade some station of the county has. Counties in
    base-map order, others after them by name.
    """
    frame = month_frame(result)
    county = result.data.stations["county"].astype(str).loc[frame["station_id"]].to_numpy()
    order = pd.Series(np.arange(len(BANDS)), index=list(BANDS))
    ordinal = pd.Series(frame["band"].to_numpy(dtype=object)).map(order).to_numpy(dtype=float)
    grouped = pd.DataFrame(
        {
            "county": county,
            "band": frame["band"].to_numpy(dtype=object),
            "ordinal": ordinal,
            "score": frame["score"].to_numpy(dtype=float),
        }
    )
    counts = pd.crosstab(grouped["county"], grouped["band"]).reindex(
        columns=list(BANDS), fill_value=0
    )
    by_county = grouped.groupby("county")
    median_ordinal = by_county["ordinal"].quantile(0.5, interpolation="lower")
    summary = pd.DataFrame(
        {
            "stations": by_county.size(),
            **{band: counts[band] for band in BANDS},
            "median_score": by_county["score"].median().round(1),
            "median_band": median_ordinal.map(_band_at),
        }
    )
    known = [c for c in COUNTIES["name"] if c in summary.index]
    summary = summary.reindex([*known, *sorted(set(summary.index) - set(known))])
    summary["county_label"] = (
        summary.index.map(lambda name: _COUNTY_EN.get(name, name))  # no English name: as given
        if result.params.language == "en"
        else summary.index
    )
    summary.index.name = "county"
    return summary
