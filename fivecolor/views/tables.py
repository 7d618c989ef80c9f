"""Tables of a scored month, ready to display: localised headers, grade names, station names.

Every function takes a :class:`~fivecolor.scoring.pipeline.ScoreResult` (and, for the robustness and
action tables, the frame the analysis module returned) and returns a
:class:`pandas.DataFrame` whose column headers, grade names and change words are in the
parameters' language (``result.params.language``), taken from :mod:`fivecolor.views.text`.
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

from fivecolor.analysis import month as analysis
from fivecolor.data.geography import COUNTIES
from fivecolor.views.text import BAND_LABELS, BANDS, CHANGE_LABELS, SEVERITY_LABELS, text
from fivecolor.scoring.pipeline import ScoreResult

__all__ = [
    "band_labels",
    "colour_summary_table",
    "correlation_table",
    "county_bands",
    "county_names",
    "county_peers",
    "county_summary_table",
    "cutoff_distance_table",
    "cutoff_labels",
    "cutoff_shift_header",
    "cutoff_shift_table",
    "department_table",
    "findings_table",
    "influence_table",
    "league_table",
    "month_frame",
    "movers_table",
    "next_colour_table",
    "pairing_table",
    "projects_table",
    "published_probability_text",
    "scheme_labels",
    "scheme_weights_table",
    "sobol_input_labels",
    "sobol_table",
    "stage_table",
    "station_changes",
    "station_facts",
    "station_indicators_frame",
    "station_names",
    "station_probability_table",
    "uncertainty_table",
    "scores_file",
    "unpaired_table",
    "weak_table",
]

_COUNTY_EN = dict(zip(COUNTIES["name"], COUNTIES["name_en"]))


# --------------------------------------------------------------------------- shared pieces
def band_labels(codes: pd.Series | np.ndarray, language: str) -> np.ndarray:
    """Grade names for band codes (``"red"`` … or ``""`` for no band) in *language*."""
    lookup = {band: BAND_LABELS[band][language] for band in BANDS}
    return pd.Series(np.asarray(codes, dtype=object)).map(lookup).fillna("").to_numpy(dtype=object)


def scores_file(result: ScoreResult, period: str | None = None) -> pd.DataFrame:
    """The published scores file: :meth:`ScoreResult.table` with each grade's name in the report's
    language (``band_label``) beside its code."""
    table = result.table(period)
    table.insert(table.columns.get_loc("band") + 1, "band_label", band_labels(table["band"], result.params.language))
    return table


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
        rank="table.rank",
        station="table.station",
        county="table.county",
        score="table.score",
        band_label="table.band",
        change_label="table.change",
        prev_band_label="table.previous_band",
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
            change="table.change",
            station="table.station",
            county="table.county",
            from_band="table.from_band",
            to_band="table.to_band",
            score="table.score",
        )
    )


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
    grouped = pd.DataFrame({"county": county, "band": frame["band"].to_numpy(dtype=object),
                            "ordinal": ordinal, "score": frame["score"].to_numpy(dtype=float)})
    counts = pd.crosstab(grouped["county"], grouped["band"]).reindex(columns=list(BANDS), fill_value=0)
    by_county = grouped.groupby("county")
    median_ordinal = by_county["ordinal"].quantile(0.5, interpolation="lower")
    summary = pd.DataFrame({
        "stations": by_county.size(),
        **{band: counts[band] for band in BANDS},
        "median_score": by_county["score"].median().round(1),
        "median_band": median_ordinal.map(lambda o: "" if np.isnan(o) else BANDS[int(o)]),
    })
    known = [c for c in COUNTIES["name"] if c in summary.index]
    summary = summary.reindex([*known, *sorted(set(summary.index) - set(known))])
    summary["county_label"] = (summary.index.map(_COUNTY_EN).fillna(pd.Series(summary.index, index=summary.index))
                               if result.params.language == "en" else summary.index)
    summary.index.name = "county"
    return summary


def _median_of(label: str, language: str) -> str:
    return text("table.median_of", language, label=label if language == "zh" else label.lower())


def county_summary_table(result: ScoreResult) -> pd.DataFrame:
    """Per county: stations, how many of each grade, median score and median grade (localised)."""
    language = result.params.language
    summary = county_bands(result)
    columns = {
        text("table.county", language): summary["county_label"].to_numpy(dtype=object),
        text("table.stations_count", language): summary["stations"].to_numpy(),
        **{BAND_LABELS[band][language]: summary[band].to_numpy() for band in BANDS},
        _median_of(text("table.score", language), language): summary["median_score"].to_numpy(),
        _median_of(text("table.band", language), language): band_labels(summary["median_band"], language),
    }
    return pd.DataFrame(columns)


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
            language, band="table.band", count="table.count", previous="table.last_month", change="table.difference"
        )
    )


def weak_table(result: ScoreResult, station_id: str | None = None) -> pd.DataFrame:
    """Weak indicators (see :func:`fivecolor.analysis.month.weak_indicators`) of all stations or one.

    Columns: station (only for all stations), indicator, normalised score, points lost and
    whether the station is in the indicator's bottom band.
    """
    language = result.params.language
    weak = analysis.weak_indicators(result)
    if station_id is not None:
        _station_position(result, station_id)
        weak = weak[weak["station_id"] == station_id]
    yes_no = np.array([text("table.no", language), text("table.yes", language)], dtype=object)
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
            station="table.station",
            indicator="table.indicator",
            normalised="table.normalised",
            points_lost="table.points_lost",
            bottom_band="table.bottom_band",
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
            severity="table.severity",
            period="table.period",
            station="table.station",
            indicator="table.indicator",
            message="table.message",
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
        "table.station": row["station"],
        "table.county": row["county"],
        "table.staff": "" if pd.isna(staff) else f"{staff:.0f}",
        "table.score": "" if pd.isna(row["score"]) else f"{row['score']:.1f}",
        "table.rank": "" if pd.isna(row["rank"]) else f"{int(row['rank'])} / {len(frame)}",
        "table.band": row["band_label"],
        "table.previous_band": row["prev_band_label"],
        "table.change": row["change_label"],
    }
    return pd.DataFrame(
        {
            text("table.item", language): [text(key, language) for key in facts],
            text("table.value", language): [str(value) for value in facts.values()],
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
    columns = _headers(language, station="table.station", score="table.score", rank="table.rank", band_label="table.band")
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
            "unit": [result.params.indicators[key].unit_in(result.params.language) for key in result.data.indicators],
            "raw_last_month": raw_before,
            "raw_this_month": result.data.values[t, s],
            "normalised_last_month": np.round(norm_before, 1),
            "normalised_this_month": np.round(norm_now, 1),
            "normalised_change": np.round(norm_now - norm_before, 1),
        }
    )
    return frame.rename(
        columns=_headers(
            language,
            indicator="table.indicator",
            unit="table.unit",
            raw_last_month="table.raw_last_month",
            raw_this_month="table.raw_this_month",
            normalised_last_month="table.normalised_last_month",
            normalised_this_month="table.normalised_this_month",
            normalised_change="table.normalised_change",
        )
    )


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
            "unit": [result.params.indicators[key].unit_in(result.params.language) for key in keys],
            "station": normalised[s],
            "station_raw": raw[s],
            "median": np.nanmedian(normalised, axis=0),
            "median_raw": np.nanmedian(raw, axis=0),
            "best": normalised[best],
            "best_raw": raw[best],
        }
    ).assign(best_station=station_names(result).iloc[best])


# --------------------------------------------------------------------------- robustness
def _percent(values, decimals: int = 1) -> np.ndarray:
    """Shares 0..1 as percentages rounded to ``decimals`` (NaN stays NaN)."""
    return np.round(np.asarray(values, dtype=float) * 100.0, decimals)


def _names_of(result: ScoreResult, station_ids) -> np.ndarray:
    """Display names (:func:`station_names`) of station ids, ``""`` for an empty id."""
    names = station_names(result)
    ids = pd.Series(np.asarray(station_ids, dtype=object))
    return ids.map(names).fillna("").to_numpy(dtype=object)


def _band_label_or_empty(codes, language: str) -> np.ndarray:
    return band_labels(pd.Series(np.asarray(codes, dtype=object)).fillna(""), language)


def _interval_text(low, high) -> list[str]:
    """``"3–8"`` (a single number when both ends agree; empty when unknown)."""
    out = []
    for a, b in zip(np.asarray(low, dtype=float), np.asarray(high, dtype=float)):
        if np.isnan(a) or np.isnan(b):
            out.append("")
        else:
            out.append(f"{a:.0f}" if round(a) == round(b) else f"{a:.0f}–{b:.0f}")
    return out


def uncertainty_table(result: ScoreResult, uncertainty: pd.DataFrame) -> pd.DataFrame:
    """Per station (from :func:`fivecolor.analysis.sensitivity.station_uncertainty`), best rank first.

    Columns: rank this month, station, grade this month, median simulated rank, 5–95% rank
    interval (``"3–8"``), the probability (%) of each of the five grades, and the probability
    (%) of this month's grade.
    """
    language = result.params.language
    ids = uncertainty["station_id"].to_numpy(dtype=object)
    position = result.data.station_ids.get_indexer(ids)
    rank = result.rank[result.period_index][position]
    frame = pd.DataFrame(
        {
            text("sens.published_rank", language): pd.array(rank, dtype="Int64"),
            text("table.station", language): _names_of(result, ids),
            text("table.band", language): _band_label_or_empty(uncertainty["band"], language),
            text("sens.median_rank", language): np.round(
                uncertainty["median_rank"].to_numpy(dtype=float), 1
            ),
            text("sens.rank_interval", language): _interval_text(
                uncertainty["rank_p05"], uncertainty["rank_p95"]
            ),
            **{
                text("sens.probability_of", language, band=BAND_LABELS[band][language]): _percent(
                    uncertainty[f"p_{band}"]
                )
                for band in BANDS
            },
            text("sens.p_published", language): _percent(uncertainty["p_published"]),
        }
    )
    return frame.reset_index(drop=True)


def station_probability_table(
    result: ScoreResult, uncertainty: pd.DataFrame, station_id: str
) -> pd.DataFrame:
    """One station's probability (%) of each grade, best grade first: two columns, grade and %."""
    language = result.params.language
    _station_position(result, station_id)
    row = uncertainty.set_index("station_id").loc[station_id]
    return pd.DataFrame(
        {
            text("table.band", language): [BAND_LABELS[band][language] for band in BANDS],
            text("sens.probability", language): [
                "" if np.isnan(row[f"p_{band}"]) else f"{row[f'p_{band}'] * 100:.1f}%"
                for band in BANDS
            ],
        }
    )


def published_probability_text(
    result: ScoreResult, uncertainty: pd.DataFrame, station_id: str
) -> str:
    """``"绿色（稍差）: 62%"``: the station's published grade and its probability ("" without a score)."""
    language = result.params.language
    _station_position(result, station_id)
    row = uncertainty.set_index("station_id").loc[station_id]
    if not row["band"] or np.isnan(row["p_published"]):
        return ""
    return text(
        "station.certainty.published",
        language,
        band=BAND_LABELS[row["band"]][language],
        p=f"{row['p_published']:.0%}",
    )


def sobol_input_labels(result: ScoreResult, inputs) -> np.ndarray:
    """Localised names of Sobol inputs (``weight_<indicator>``, ``normalisation``, …)."""
    language = result.params.language
    indicator_labels = _indicator_labels(result)
    fixed = {
        "weights_scheme": text("sens.input_weights_scheme", language),
        "normalisation": text("sens.input_normalisation", language),
        "aggregation": text("sens.input_aggregation", language),
        "cutoff_shift": text("sens.input_cutoff_shift", language),
        "left_out": text("sens.input_left_out", language),
    }
    fixed.update(
        {
            f"weight_{key}": text("sens.input_weight", language, indicator=label)
            for key, label in indicator_labels.items()
        }
    )
    return (
        pd.Series(np.asarray(inputs, dtype=object))
        .map(lambda name: fixed.get(name, name))
        .to_numpy(dtype=object)
    )


def sobol_table(result: ScoreResult, sobol: pd.DataFrame) -> pd.DataFrame:
    """Sobol indices (from :func:`fivecolor.analysis.sensitivity.sobol`) side by side per input.

    One row per input (in the analysis' order; per station first when the frame has a
    ``station_id`` column): S1 at N, S1 at 2N, ST at N, ST at 2N, rounded to three decimals.
    Agreement between the N and 2N columns is the reader's check of convergence.
    """
    language = result.params.language
    keys = ["station_id", "input"] if "station_id" in sobol else ["input"]
    sizes = sorted(sobol["n"].unique())
    wide = sobol.pivot_table(index=keys, columns="n", values=["S1", "ST"], sort=False)
    order = sobol.drop_duplicates(keys)[keys]
    wide = wide.reindex(
        pd.MultiIndex.from_frame(order) if len(keys) > 1 else pd.Index(order["input"])
    )
    frame = pd.DataFrame({text("sens.input", language): sobol_input_labels(result, order["input"])})
    if "station_id" in sobol:
        frame.insert(0, text("table.station", language), _names_of(result, order["station_id"]))
    for index, key in (("S1", "sens.sobol_first_n"), ("ST", "sens.sobol_total_n")):
        for n in sizes:
            # + 0.0 turns a rounded -0.0 (a tiny negative estimate) into 0.0
            frame[text(key, language, n=int(n))] = (
                np.round(wide[(index, n)].to_numpy(dtype=float), 3) + 0.0
            )
    return frame


def cutoff_shift_header(result: ScoreResult) -> str:
    """Header of the shift: points for cut-offs, percentage points for quantile bands."""
    key = "sens.shift_points" if result.params.bands.method == "cutoffs" else "sens.shift_quantile"
    return text(key, result.params.language)


def cutoff_labels(result: ScoreResult) -> list[str]:
    """Names of the four cut-offs and of "all four", e.g. ``"Red (excellent) cut-off (90)"``."""
    language = result.params.language
    bands = result.params.bands
    values = bands.cutoffs if bands.method == "cutoffs" else bands.quantiles
    return [
        *(
            text("sens.cutoff_of", language, band=BAND_LABELS[band][language], value=f"{value:g}")
            for band, value in zip(BANDS[:4], values)
        ),
        text("sens.cutoff_all", language),
    ]


def cutoff_shift_table(result: ScoreResult, counts: pd.DataFrame) -> pd.DataFrame:
    """Stations changing colour per shift (from :func:`fivecolor.analysis.sensitivity.cutoff_shift_counts`).

    One row per shift; one column per cut-off moved alone (named by the grade it opens and its
    value), and one for all four moved together.
    """
    frame = pd.DataFrame(
        {cutoff_shift_header(result): np.round(counts.index.to_numpy(dtype=float), 2)}
    )
    for label, column in zip(cutoff_labels(result), [*BANDS[:4], "all"]):
        frame[label] = counts[column].to_numpy()
    return frame


def cutoff_distance_table(result: ScoreResult, distances: pd.DataFrame) -> pd.DataFrame:
    """Each station's distance to the next grade up and down (from
    :func:`fivecolor.analysis.sensitivity.cutoff_distances`), best rank first, points rounded to 2."""
    language = result.params.language
    columns = {
        "table.rank": pd.array(distances["rank"], dtype="Int64"),
        "table.station": _names_of(result, distances["station_id"]),
        "table.score": np.round(distances["score"].to_numpy(dtype=float), 2),
        "table.band": _band_label_or_empty(distances["band"], language),
        "sens.next_up": _band_label_or_empty(distances["next_up"], language),
        "sens.distance_up": np.round(distances["distance_up"].to_numpy(dtype=float), 2),
        "sens.next_down": _band_label_or_empty(distances["next_down"], language),
        "sens.distance_down": np.round(distances["distance_down"].to_numpy(dtype=float), 2),
    }
    return pd.DataFrame({text(key, language): values for key, values in columns.items()})


def scheme_labels(result: ScoreResult, schemes) -> np.ndarray:
    """Localised names of weighting schemes (given, equal, entropy, critic, pca, ahp)."""
    language = result.params.language
    names = {
        "given": text("sens.scheme_given", language),
        "equal": text("sens.scheme_equal", language),
        "entropy": text("sens.scheme_entropy", language),
        "critic": text("sens.scheme_critic", language),
        "pca": text("sens.scheme_pca", language),
        "ahp": text("sens.scheme_ahp", language),
    }
    return np.array([names.get(s, str(s)) for s in schemes], dtype=object)


def scheme_weights_table(result: ScoreResult, weights: pd.DataFrame) -> pd.DataFrame:
    """Every scheme's weights (from :func:`fivecolor.analysis.sensitivity.scheme_weights`) in percent.

    One row per scheme; one column per indicator (its label), weights in % rounded to one
    decimal; then the consistency ratio CR (AHP only, three decimals, empty elsewhere).
    """
    language = result.params.language
    labels = _indicator_labels(result)
    frame = pd.DataFrame({text("sens.scheme", language): scheme_labels(result, weights.index)})
    for key in result.params.indicator_keys:
        frame[labels[key]] = _percent(weights[key].to_numpy(dtype=float))
    cr = (
        weights["consistency_ratio"]
        if "consistency_ratio" in weights
        else np.full(len(weights), np.nan)
    )
    frame[text("sens.consistency_ratio", language)] = np.round(np.asarray(cr, dtype=float), 3)
    return frame


def correlation_table(
    result: ScoreResult, spearman: pd.DataFrame, kendall: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Rank correlations between schemes (from :func:`fivecolor.analysis.sensitivity.scheme_rank_correlations`):
    one row per pair of schemes, Spearman's ρ and (when given) Kendall's τ, three decimals."""
    language = result.params.language
    names = list(spearman.index)
    i, j = np.triu_indices(len(names), k=1)
    labels = scheme_labels(result, names)
    frame = pd.DataFrame(
        {
            text("sens.scheme", language): labels[i],
            text("sens.compared_with", language): labels[j],
            text("sens.spearman", language): np.round(spearman.to_numpy(dtype=float)[i, j], 3),
        }
    )
    if kendall is not None:
        tau = kendall.reindex(index=names, columns=names).to_numpy(dtype=float)
        frame[text("sens.kendall", language)] = np.round(tau[i, j], 3)
    return frame


def influence_table(
    result: ScoreResult, influence: pd.DataFrame, loo: pd.DataFrame
) -> pd.DataFrame:
    """Per indicator: nominal and effective weight (%), their ratio, the correlation with the
    composite (from :func:`fivecolor.analysis.sensitivity.indicator_influence`), and the rank and colour
    shifts when it is left out (from :func:`fivecolor.analysis.sensitivity.leave_one_out`)."""
    language = result.params.language
    keys = list(influence.index)
    loo = loo.reindex(keys)
    columns = {
        "table.indicator": _indicator_labels(result).loc[keys].to_numpy(),
        "sens.nominal_weight": _percent(influence["nominal_weight"]),
        "sens.effective_weight": _percent(influence["effective_weight"]),
        "sens.influence_ratio": np.round(influence["ratio"].to_numpy(dtype=float), 2),
        "sens.pearson_r": np.round(influence["pearson_r"].to_numpy(dtype=float), 3),
        "sens.loo_mean_shift": np.round(loo["mean_abs_rank_shift"].to_numpy(dtype=float), 2),
        "sens.loo_max_shift": pd.array(
            np.round(loo["max_abs_rank_shift"].to_numpy(dtype=float)), dtype="Int64"
        ),
        "sens.loo_band_changes": pd.array(loo["band_changes"].to_numpy(dtype=float), dtype="Int64"),
    }
    return pd.DataFrame({text(key, language): values for key, values in columns.items()})


# --------------------------------------------------------------------------- actions
def _values_text(values, decimals: int = 2) -> np.ndarray:
    """Raw values rounded for reading: up to ``decimals`` places, trailing zeros dropped."""
    values = np.asarray(values, dtype=float)
    return np.array(
        ["" if np.isnan(v) else f"{round(v, decimals):g}" for v in values], dtype=object
    )


def _outward(values, better_sign, decimals: int = 2) -> np.ndarray:
    """Round required values toward the better side, so the shown value still reaches the colour."""
    scale = 10.0**decimals
    sign = np.asarray(better_sign, dtype=float)
    return np.ceil(np.round(np.asarray(values, dtype=float) * sign * scale, 6)) / scale * sign


def next_colour_table(
    result: ScoreResult, frame: pd.DataFrame, station_id: str | None = None
) -> pd.DataFrame:
    """Options to reach the next colour (from :func:`fivecolor.analysis.actions.next_colour`), easiest first.

    Columns: station (all stations only), option, indicator, unit, current value, value
    required (rounded toward the better side, so it still reaches the colour), change
    needed, grade reached, effort. With ``station_id``, that station's options only.
    """
    language = result.params.language
    if station_id is not None:
        _station_position(result, station_id)
        frame = frame[frame["station_id"] == station_id]
    sign = frame["indicator"].map(
        {
            key: 1.0 if spec.direction == "higher" else -1.0
            for key, spec in result.params.indicators.items()
        }
    )
    required = _outward(frame["required"], sign)
    columns = {
        "table.station": _names_of(result, frame["station_id"]),
        "action.option": frame["option"].to_numpy(),
        "table.indicator": _indicator_labels(result).reindex(frame["indicator"]).to_numpy(),
        "table.unit": frame["unit"].to_numpy(dtype=object),
        "action.current": _values_text(frame["current"]),
        "action.required": _values_text(required),
        "action.change_needed": _values_text(required - frame["current"].to_numpy(dtype=float)),
        "action.reaches": _band_label_or_empty(frame["band_to"], language),
        "action.effort": np.round(frame["effort"].to_numpy(dtype=float), 2),
    }
    table = pd.DataFrame({text(key, language): values for key, values in columns.items()})
    if station_id is not None:
        table = table.drop(columns=text("table.station", language))
    return table.reset_index(drop=True)


def _targets_text(result: ScoreResult, targets) -> list[str]:
    labels = _indicator_labels(result)
    sep = "、" if result.params.language == "zh" else "; "
    return [
        sep.join(labels.get(key, key) for key in str(value).split(";") if key)
        if isinstance(value, str)
        else ""
        for value in targets
    ]


def pairing_table(
    result: ScoreResult, frame: pd.DataFrame, station_id: str | None = None
) -> pd.DataFrame:
    """The pairs (from :func:`fivecolor.analysis.actions.pairing`): red with yellow, orange with green.

    Columns: pair type ("Red (excellent) helps Yellow (lagging)"), mentor, partner, distance
    (km, one decimal), complementarity (points, one decimal) and the indicators to work on.
    With ``station_id``, the pairs the station is in, with its role and the other station
    first.
    """
    language = result.params.language
    mentor_label = _band_label_or_empty(frame["mentor_band"], language)
    partner_label = _band_label_or_empty(frame["partner_band"], language)
    pair_type = [
        text("action.pair_type_value", language, mentor=m, partner=p)
        for m, p in zip(mentor_label, partner_label)
    ]
    mentor = _names_of(result, frame["mentor_id"])
    partner = _names_of(result, frame["partner_id"])
    details = {
        text("action.distance_km", language): np.round(frame["distance_km"].to_numpy(dtype=float), 1),
        text("action.complementarity", language): np.round(
            frame["complementarity"].to_numpy(dtype=float), 1
        ),
        text("action.targets", language): _targets_text(result, frame["targets"]),
    }
    if station_id is None:
        return pd.DataFrame(
            {
                text("action.pair_type", language): pair_type,
                text("action.mentor", language): mentor,
                text("action.partner", language): partner,
                **details,
            }
        )
    _station_position(result, station_id)
    is_mentor = (frame["mentor_id"] == station_id).to_numpy()
    mine = is_mentor | (frame["partner_id"] == station_id).to_numpy()
    roles = np.where(is_mentor, text("action.role_mentor", language), text("action.role_partner", language))
    table = pd.DataFrame(
        {
            text("action.paired_with", language): np.where(is_mentor, partner, mentor),
            text("action.role", language): roles,
            text("action.pair_type", language): pair_type,
            **details,
        }
    )
    return table[mine].reset_index(drop=True)


def unpaired_table(result: ScoreResult, frame: pd.DataFrame) -> pd.DataFrame:
    """Stations left without a mentor (from :func:`fivecolor.analysis.actions.unpaired`): station, grade, reason."""
    language = result.params.language
    capacity = frame["status"].astype(str).str.endswith("capacity exhausted").to_numpy()
    mentor_band = _band_label_or_empty(frame["mentor_band"], language)
    reason = [
        text("action.reason_capacity", language) if full else text("action.reason_no_mentor", language, band=band)
        for full, band in zip(capacity, mentor_band)
    ]
    return pd.DataFrame(
        {
            text("table.station", language): _names_of(result, frame["partner_id"]),
            text("table.band", language): _band_label_or_empty(frame["partner_band"], language),
            text("action.reason", language): reason,
        }
    )


def _department_labels(result: ScoreResult, keys) -> np.ndarray:
    params = result.params
    return np.array(
        [params.label(params.departments[k]) if k in params.departments else str(k) for k in keys],
        dtype=object,
    )


def department_table(
    result: ScoreResult, frame: pd.DataFrame, station_id: str | None = None
) -> pd.DataFrame:
    """Department help (from :func:`fivecolor.analysis.actions.department_help`), grouped by department.

    Rows in the parameters' department order, then indicator order, the largest gap first.
    Columns: department, indicator, station (all stations only), grade, score, score to reach,
    gap (points), current value, target value, unit.
    """
    language = result.params.language
    if station_id is not None:
        _station_position(result, station_id)
        frame = frame[frame["station_id"] == station_id]
    departments = [
        *result.params.departments,
        *sorted(set(frame["department"]) - set(result.params.departments)),
    ]
    order = frame.assign(
        _d=frame["department"].map({d: k for k, d in enumerate(departments)}),
        _i=frame["indicator"].map({k: n for n, k in enumerate(result.params.indicator_keys)}),
    ).sort_values(
        ["_d", "_i", "gap_points", "station_id"], ascending=[True, True, False, True], kind="stable"
    )
    columns = {
        "action.department": _department_labels(result, order["department"]),
        "table.indicator": _indicator_labels(result).reindex(order["indicator"]).to_numpy(),
        "table.station": _names_of(result, order["station_id"]),
        "table.band": _band_label_or_empty(order["band"], language),
        "table.normalised": np.round(order["normalised"].to_numpy(dtype=float), 1),
        "action.level": np.round(order["level"].to_numpy(dtype=float), 1),
        "action.gap_points": np.round(order["gap_points"].to_numpy(dtype=float), 1),
        "action.current": _values_text(order["current"]),
        "action.target_value": _values_text(order["target"]),
        "table.unit": order["unit"].to_numpy(dtype=object),
    }
    table = pd.DataFrame({text(key, language): values for key, values in columns.items()})
    if station_id is not None:
        table = table.drop(columns=[text("table.station", language), text("table.band", language)])
    return table.reset_index(drop=True)


_STATUS_KEYS = {
    "met": "action.status_met",
    "not met": "action.status_not_met",
    "not started": "action.status_not_started",
    "no data": "action.status_no_data",
}


def projects_table(
    result: ScoreResult, progress: pd.DataFrame | None, station_id: str | None = None
) -> pd.DataFrame:
    """Improvement projects (from :func:`fivecolor.analysis.actions.project_progress`); empty for ``None``.

    Columns: station (all stations only), project, indicator, unit, start, target, before
    (3-month mean), this month, improved (yes/no), status (met, not met, not started, no data).
    """
    language = result.params.language
    if progress is None:
        progress = pd.DataFrame(
            columns=[
                "station_id",
                "indicator",
                "title",
                "unit",
                "start",
                "target",
                "before",
                "latest",
                "improved",
                "status",
            ]
        )
    if station_id is not None:
        _station_position(result, station_id)
        progress = progress[progress["station_id"] == station_id]
    yes_no = {True: text("table.yes", language), False: text("table.no", language)}
    columns = {
        "table.station": _names_of(result, progress["station_id"]),
        "action.project": progress["title"].to_numpy(dtype=object),
        "table.indicator": _indicator_labels(result).reindex(progress["indicator"]).to_numpy(),
        "table.unit": progress["unit"].to_numpy(dtype=object),
        "action.start": progress["start"].to_numpy(dtype=object),
        "action.target_value": _values_text(progress["target"]),
        "action.before": _values_text(progress["before"]),
        "action.latest": _values_text(progress["latest"]),
        "action.improved": progress["improved"]
        .astype(object)
        .map(yes_no)
        .fillna("")
        .to_numpy(dtype=object),
        "action.status": progress["status"]
        .map(lambda s: text(_STATUS_KEYS[s], language) if s in _STATUS_KEYS else s)
        .to_numpy(dtype=object),
    }
    table = pd.DataFrame({text(key, language): values for key, values in columns.items()})
    if station_id is not None:
        table = table.drop(columns=text("table.station", language))
    return table.reset_index(drop=True)


def stage_table(result: ScoreResult, frame: pd.DataFrame) -> pd.DataFrame:
    """Stages toward all red (from :func:`fivecolor.analysis.actions.stage_progress`): stage, deadline,
    target share (%) and count, red stations and share (%) now, still to go, months left, met."""
    language = result.params.language
    yes_no = np.array([text("table.no", language), text("table.yes", language)], dtype=object)
    labels = [label or str(stage) for label, stage in zip(frame["label"], frame["stage"])]
    columns = {
        "table.stage": labels,
        "action.deadline": frame["period"].to_numpy(dtype=object),
        "action.target_share": _percent(frame["target_share"], 0),
        "action.target_count": frame["target_count"].to_numpy(),
        "action.red_count": frame["red_count"].to_numpy(),
        "action.red_share_now": _percent(frame["red_share"]),
        "action.stations_to_go": frame["stations_to_go"].to_numpy(),
        "action.months_left": frame["months_left"].to_numpy(),
        "action.met": yes_no[frame["met"].to_numpy(dtype=bool).astype(int)],
    }
    return pd.DataFrame({text(key, language): values for key, values in columns.items()})
