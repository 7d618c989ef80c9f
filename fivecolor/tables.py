"""Tables of a scored month, ready to display: localised headers, grade names, station names.

Every function takes a :class:`~fivecolor.scoring.ScoreResult` and returns a
:class:`pandas.DataFrame` whose column headers, grade names and change words are in the
parameters' language (``result.params.language``), taken from :mod:`fivecolor.labels`.
Station names are plain text: pandas escapes them in ``to_html()`` and in the notebook's
HTML view, so a name such as ``<b>`` shows as typed.

Examples
--------
>>> from fivecolor import load_params, load_data, score  # doctest: +SKIP
>>> params = load_params("params/2020-05.yaml")  # doctest: +SKIP
>>> league_table(score(load_data(params), params)).head()  # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fivecolor import analysis
from fivecolor.geo import COUNTIES
from fivecolor.labels import BAND_LABELS, BANDS, CHANGE_LABELS, SEVERITY_LABELS, text
from fivecolor.scoring import ScoreResult

__all__ = [
    "band_labels",
    "colour_summary_table",
    "county_names",
    "county_peers",
    "findings_table",
    "league_table",
    "month_frame",
    "movers_table",
    "station_changes",
    "station_facts",
    "station_indicators_frame",
    "station_names",
    "weak_table",
]

_COUNTY_EN = dict(zip(COUNTIES["name"], COUNTIES["name_en"]))


# --------------------------------------------------------------------------- shared pieces
def band_labels(codes: pd.Series | np.ndarray, language: str) -> np.ndarray:
    """Grade names for band codes (``"red"`` … or ``""`` for no band) in *language*."""
    lookup = {band: BAND_LABELS[band][language] for band in BANDS}
    return pd.Series(np.asarray(codes, dtype=object)).map(lookup).fillna("").to_numpy(dtype=object)


def _change_labels(changes: pd.Series | np.ndarray, language: str) -> np.ndarray:
    lookup = {key: labels[language] for key, labels in CHANGE_LABELS.items()}
    return (
        pd.Series(np.asarray(changes, dtype=object)).map(lookup).fillna("").to_numpy(dtype=object)
    )


def station_names(result: ScoreResult) -> pd.Series:
    """Display name per station id: ``name`` in zh; ``name_en`` in en, falling back to ``name``."""
    stations = result.data.stations
    names = stations["name"].astype(str)
    if result.params.language == "en" and "name_en" in stations:
        english = stations["name_en"].astype("string").str.strip()
        names = english.where(english.notna() & (english != ""), names).astype(str)
    return names.rename("name")


def county_names(result: ScoreResult) -> pd.Series:
    """County per station id, in English for en (names not on the base map stay as given)."""
    county = result.data.stations["county"].astype(str)
    if result.params.language == "en":
        county = county.map(_COUNTY_EN).fillna(county)
    return county.rename("county")


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
    band_label[table["band"].to_numpy() == ""] = text("no_score", language)
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
            "change_label": _change_labels(table["change"], language),
            "lat": stations["lat"].to_numpy(dtype=float),
            "lon": stations["lon"].to_numpy(dtype=float),
            "staff": stations["staff"].to_numpy(),
        }
    )


def _indicator_labels(result: ScoreResult) -> pd.Series:
    params = result.params
    return pd.Series({key: params.label(spec.label) for key, spec in params.indicators.items()})


def _station_position(result: ScoreResult, station_id: str) -> int:
    position = result.data.station_ids.get_indexer([station_id])[0]
    if position < 0:
        raise KeyError(f"station {station_id!r} is not among the stations")
    return int(position)


def _headers(language: str, **columns: str) -> dict[str, str]:
    """Column renaming: internal name -> localised header from the catalogue key."""
    return {column: text(key, language) for column, key in columns.items()}


# --------------------------------------------------------------------------- month tables
def league_table(result: ScoreResult) -> pd.DataFrame:
    """All stations by rank: rank, name, county, score, grade, change, last month's grade."""
    language = result.params.language
    frame = month_frame(result)
    columns = _headers(
        language,
        rank="rank",
        station="station",
        county="county",
        score="score",
        band_label="band",
        change_label="change",
        prev_band_label="previous_band",
    )
    return frame[list(columns)].rename(columns=columns).reset_index(drop=True)


def movers_table(result: ScoreResult) -> pd.DataFrame:
    """Stations whose grade changed since last month, biggest moves up first, then the falls.

    Columns: change (up/down), name, county, from grade, to grade, score.
    """
    language = result.params.language
    moved = analysis.movers(result)
    frame = pd.DataFrame(
        {
            "change": _change_labels(moved["change"], language),
            "station": station_names(result).loc[moved["station_id"]].to_numpy(),
            "county": county_names(result).loc[moved["station_id"]].to_numpy(),
            "from_band": band_labels(moved["prev_band"], language),
            "to_band": band_labels(moved["band"], language),
            "score": np.round(moved["score"].to_numpy(dtype=float), 1),
        }
    )
    return frame.rename(
        columns=_headers(
            language,
            change="change",
            station="station",
            county="county",
            from_band="from_band",
            to_band="to_band",
            score="score",
        )
    )


def colour_summary_table(result: ScoreResult) -> pd.DataFrame:
    """Per grade, best first: stations this month, last month and the difference."""
    language = result.params.language
    summary = analysis.colour_summary(result)
    frame = pd.DataFrame(
        {
            "band": band_labels(summary["band"], language),
            "count": summary["count"].to_numpy(),
            "previous": summary["previous"].to_numpy(),
            "change": summary["change"].to_numpy(),
        }
    )
    return frame.rename(
        columns=_headers(
            language, band="band", count="count", previous="last_month", change="difference"
        )
    )


def weak_table(result: ScoreResult, station_id: str | None = None) -> pd.DataFrame:
    """Weak indicators (see :func:`fivecolor.analysis.weak_indicators`) of all stations or one.

    Columns: station (only for all stations), indicator, normalised score, points lost and
    whether the station is in the indicator's bottom band.
    """
    language = result.params.language
    weak = analysis.weak_indicators(result)
    if station_id is not None:
        _station_position(result, station_id)
        weak = weak[weak["station_id"] == station_id]
    yes_no = np.array([text("no", language), text("yes", language)], dtype=object)
    frame = pd.DataFrame(
        {
            "station": station_names(result).loc[weak["station_id"]].to_numpy(),
            "indicator": _indicator_labels(result).loc[weak["indicator"]].to_numpy(),
            "normalised": np.round(weak["normalised"].to_numpy(dtype=float), 1),
            "points_lost": np.round(weak["points_lost"].to_numpy(dtype=float), 2),
            "bottom_band": yes_no[weak["bottom_band"].to_numpy(dtype=int)],
        }
    )
    if station_id is not None:
        frame = frame.drop(columns="station")
    return frame.rename(
        columns=_headers(
            language,
            station="station",
            indicator="indicator",
            normalised="normalised",
            points_lost="points_lost",
            bottom_band="bottom_band",
        )
    ).reset_index(drop=True)


def findings_table(result: ScoreResult) -> pd.DataFrame:
    """The month's data findings: severity (localised), period, station, indicator, message."""
    language = result.params.language
    findings = result.data.findings
    severity = {key: labels[language] for key, labels in SEVERITY_LABELS.items()}
    frame = pd.DataFrame(
        {
            "severity": findings["severity"]
            .map(severity)
            .fillna(findings["severity"])
            .to_numpy(dtype=object),
            "period": findings["period"].to_numpy(dtype=object),
            "station": findings["station_id"].to_numpy(dtype=object),
            "indicator": findings["indicator"].to_numpy(dtype=object),
            "message": findings["message"].to_numpy(dtype=object),
        }
    )
    return frame.rename(
        columns=_headers(
            language,
            severity="severity",
            period="period",
            station="station",
            indicator="indicator",
            message="message",
        )
    )


# --------------------------------------------------------------------------- one station
def station_facts(result: ScoreResult, station_id: str) -> pd.DataFrame:
    """Two columns (item, value): name, county, staff, score, rank, grade, last grade, change."""
    language = result.params.language
    _station_position(result, station_id)
    frame = month_frame(result).set_index("station_id")
    row = frame.loc[station_id]
    staff = row["staff"]
    facts = {
        "station": row["station"],
        "county": row["county"],
        "staff": "" if pd.isna(staff) else f"{staff:.0f}",
        "score": "" if pd.isna(row["score"]) else f"{row['score']:.1f}",
        "rank": "" if pd.isna(row["rank"]) else f"{int(row['rank'])} / {len(frame)}",
        "band": row["band_label"],
        "previous_band": row["prev_band_label"],
        "change": row["change_label"],
    }
    return pd.DataFrame(
        {
            text("item", language): [text(key, language) for key in facts],
            text("value", language): [str(value) for value in facts.values()],
        }
    )


def county_peers(result: ScoreResult, station_id: str) -> pd.DataFrame:
    """The other stations of the station's county, by rank: name, score, rank, grade."""
    language = result.params.language
    _station_position(result, station_id)
    county = result.data.stations.loc[station_id, "county"]
    frame = month_frame(result)
    same_county = result.data.stations.loc[frame["station_id"], "county"].to_numpy() == county
    peers = frame[same_county & (frame["station_id"] != station_id).to_numpy()]
    columns = _headers(language, station="station", score="score", rank="rank", band_label="band")
    return peers[list(columns)].rename(columns=columns).reset_index(drop=True)


def station_changes(result: ScoreResult, station_id: str) -> pd.DataFrame:
    """Per indicator: raw value and normalised score last month and this month, and the change.

    Without a previous month the last-month columns and the change are empty (NaN).
    """
    language = result.params.language
    s = _station_position(result, station_id)
    t, p = result.period_index, result.previous_index()
    n_indicators = len(result.data.indicators)
    raw_before = result.data.values[p, s] if p is not None else np.full(n_indicators, np.nan)
    norm_before = result.normalised[p, s] if p is not None else np.full(n_indicators, np.nan)
    norm_now = result.normalised[t, s]
    frame = pd.DataFrame(
        {
            "indicator": _indicator_labels(result).loc[list(result.data.indicators)].to_numpy(),
            "unit": [result.params.indicators[key].unit for key in result.data.indicators],
            "raw_last_month": raw_before,
            "raw_this_month": result.data.values[t, s],
            "normalised_last_month": np.round(norm_before, 1),
            "normalised_this_month": np.round(norm_now, 1),
            "normalised_change": np.round(norm_now - norm_before, 1),
        }
    )
    return frame.rename(columns=_headers(language, **{c: c for c in frame.columns}))


def station_indicators_frame(result: ScoreResult, station_id: str) -> pd.DataFrame:
    """Per indicator (catalogue order): the station's, the company median's and the best station's
    normalised score and raw value this month (internal names; used by the station chart).

    Columns ``indicator, label, unit, station, station_raw, median, median_raw, best, best_raw``.
    The best station is the month's rank 1.
    """
    s = _station_position(result, station_id)
    t = result.period_index
    normalised, raw = result.normalised[t], result.filled[t]
    best = int(np.nanargmin(result.rank[t]))
    keys = list(result.data.indicators)
    return pd.DataFrame(
        {
            "indicator": keys,
            "label": _indicator_labels(result).loc[keys].to_numpy(),
            "unit": [result.params.indicators[key].unit for key in keys],
            "station": normalised[s],
            "station_raw": raw[s],
            "median": np.nanmedian(normalised, axis=0),
            "median_raw": np.nanmedian(raw, axis=0),
            "best": normalised[best],
            "best_raw": raw[best],
        }
    ).assign(best_station=station_names(result).iloc[best])
