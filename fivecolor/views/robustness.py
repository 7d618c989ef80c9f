"""The robustness (sensitivity) page: rank intervals and colour probabilities from the Monte
Carlo, Sobol indices, cut-off shifts and distances, weighting schemes and indicator influence,
as charts and tables.

Every function takes a :class:`~fivecolor.scoring.pipeline.ScoreResult` and the frame the
:mod:`fivecolor.analysis.sensitivity` function named in its docstring returned.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from fivecolor.scoring.bands import BandRule
from fivecolor.scoring.pipeline import ScoreResult
from fivecolor.views.common import (
    band_label_or_empty,
    indicator_labels,
    names_of,
    percent,
    station_names,
)
from fivecolor.views.large_month import UNCERTAIN_SHOWN, is_large
from fivecolor.views.text import BAND_LABELS, BANDS, text
from fivecolor.views.theme import BAND_COLOURS, band_color

__all__ = [
    "colour_probabilities",
    "colour_sobol_chart",
    "colour_sobol_table",
    "correlation_table",
    "cutoff_distance_table",
    "cutoff_labels",
    "cutoff_shift_chart",
    "cutoff_shift_header",
    "cutoff_shift_table",
    "diagnostics_tables",
    "hysteresis_table",
    "influence_table",
    "lead_sentences",
    "method_labels",
    "methods_table",
    "rank_intervals",
    "scheme_labels",
    "scheme_weights_table",
    "sobol_chart",
    "sobol_input_labels",
    "sobol_table",
    "uncertainty_table",
    "weight_warnings",
]


# --------------------------------------------------------------------------- uncertainty
def _uncertainty_frame(result: ScoreResult, uncertainty: pd.DataFrame) -> pd.DataFrame:
    """Per scored station: name, published rank and grade label, and the uncertainty columns.

    In a large month (:func:`~fivecolor.views.large_month.is_large`), only the
    :data:`~fivecolor.views.large_month.UNCERTAIN_SHOWN` stations least likely
    to keep their published grade (every station is in ``fivecolor sensitivity``'s table).
    """
    language = result.params.language
    frame = uncertainty[uncertainty["band"].astype(str) != ""]
    if is_large(result):  # one row per station would be unreadable: the least certain stations
        frame = frame.sort_values(["p_published", "median_rank"], kind="stable").head(
            UNCERTAIN_SHOWN
        )
    position = result.data.station_ids.get_indexer(pd.Index(frame["station_id"]))
    return pd.DataFrame(
        {
            "station": station_names(result).iloc[position].to_numpy(),
            "rank": result.rank[result.period_index][position],
            "band_label": [BAND_LABELS[band][language] for band in frame["band"]],
            "median_rank": frame["median_rank"].to_numpy(dtype=float),
            "rank_p05": frame["rank_p05"].to_numpy(dtype=float),
            "rank_p95": frame["rank_p95"].to_numpy(dtype=float),
            "p_published": frame["p_published"].round(4).to_numpy(),
            **{f"p_{band}": frame[f"p_{band}"].round(4).to_numpy() for band in BANDS},
        }
    )


def rank_intervals(result: ScoreResult, uncertainty: pd.DataFrame) -> alt.LayerChart:
    """Each station's median simulated rank (point) and 5–95% rank interval (rule).

    Stations run down the chart by this month's rank; points and rules take the colour of the
    published grade (legend with the grade names). ``uncertainty`` is
    :func:`fivecolor.analysis.sensitivity.station_uncertainty`; the tooltip adds the probability of
    the published grade.
    """
    language = result.params.language
    data = _uncertainty_frame(result, uncertainty)
    n = len(result.data.station_ids)
    y = alt.Y(
        "station:N",
        sort=alt.EncodingSortField("rank", op="min"),
        title=text("table.station", language),
        axis=alt.Axis(labelFontSize=10),
    )
    x_scale = alt.Scale(domain=[1, max(n, 2)], nice=False)
    colour = band_color(language)
    tooltip = [
        alt.Tooltip("station:N", title=text("table.station", language)),
        alt.Tooltip("rank:Q", title=text("sens.published_rank", language), format="d"),
        alt.Tooltip("band_label:N", title=text("table.band", language)),
        alt.Tooltip("median_rank:Q", title=text("sens.median_rank", language), format=".1f"),
        alt.Tooltip("rank_p05:Q", title="5%", format=".0f"),
        alt.Tooltip("rank_p95:Q", title="95%", format=".0f"),
        alt.Tooltip("p_published:Q", title=text("sens.p_published_short", language), format=".0%"),
    ]
    base = alt.Chart(data).encode(y=y, color=colour, tooltip=tooltip)
    rules = base.mark_rule(strokeWidth=2.5, opacity=0.75).encode(
        x=alt.X("rank_p05:Q", scale=x_scale, title=text("table.rank", language)), x2="rank_p95:Q"
    )
    points = base.mark_point(
        filled=True, size=45, stroke="#333333", strokeWidth=0.5, opacity=1
    ).encode(x=alt.X("median_rank:Q", scale=x_scale, title=text("table.rank", language)))
    title = alt.TitleParams(
        text("chart.rank_intervals", language), subtitle=text("sens.interval", language)
    )
    return alt.LayerChart(layer=[rules, points]).properties(
        width=460, height=alt.Step(12), title=title
    )


def colour_probabilities(result: ScoreResult, uncertainty: pd.DataFrame) -> alt.Chart:
    """Stacked horizontal bars: each station's probability of each grade, red first.

    Stations run down the chart by this month's rank; segments take the grade colours with
    the grade legend. ``uncertainty`` is :func:`fivecolor.analysis.sensitivity.station_uncertainty`.
    """
    language = result.params.language
    frame = _uncertainty_frame(result, uncertainty)
    labels = [BAND_LABELS[band][language] for band in BANDS]
    probabilities = frame[[f"p_{band}" for band in BANDS]].to_numpy(dtype=float)
    data = pd.DataFrame(
        {
            "station": np.repeat(frame["station"].to_numpy(), len(BANDS)),
            "rank": np.repeat(frame["rank"].to_numpy(dtype=float), len(BANDS)),
            "published": np.repeat(frame["band_label"].to_numpy(), len(BANDS)),
            "band_label": np.tile(labels, len(frame)),
            "code": np.tile(np.arange(len(BANDS)), len(frame)),
            "p": probabilities.ravel(),
        }
    )
    data = data[data["p"] > 0]  # empty segments add nothing but weight
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y(
                "station:N",
                sort=alt.EncodingSortField("rank", op="min"),
                title=text("table.station", language),
                axis=alt.Axis(labelFontSize=10),
            ),
            x=alt.X(
                "p:Q",
                stack="zero",
                title=text("sens.probability", language),
                axis=alt.Axis(format=".0%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            color=band_color(language),
            order=alt.Order("code:Q", sort="ascending"),
            tooltip=[
                alt.Tooltip("station:N", title=text("table.station", language)),
                alt.Tooltip("published:N", title=text("sens.published_band", language)),
                alt.Tooltip("band_label:N", title=text("table.band", language)),
                alt.Tooltip("p:Q", title=text("sens.probability", language), format=".1%"),
            ],
        )
        .properties(
            width=420, height=alt.Step(12), title=text("chart.colour_probabilities", language)
        )
    )


def _interval_text(low, high) -> list[str]:
    """``"3–8"`` (a single number when both ends agree; empty when unknown)."""
    out = []
    for a, b in zip(np.asarray(low, dtype=float), np.asarray(high, dtype=float), strict=True):
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
            text("table.station", language): names_of(result, ids),
            text("table.band", language): band_label_or_empty(uncertainty["band"], language),
            text("sens.median_rank", language): np.round(
                uncertainty["median_rank"].to_numpy(dtype=float), 1
            ),
            text("sens.rank_interval", language): _interval_text(
                uncertainty["rank_p05"], uncertainty["rank_p95"]
            ),
            **{
                text("sens.probability_of", language, band=BAND_LABELS[band][language]): percent(
                    uncertainty[f"p_{band}"]
                )
                for band in BANDS
            },
            text("sens.p_published", language): percent(uncertainty["p_published"]),
        }
    )
    return frame.reset_index(drop=True)


# --------------------------------------------------------------------------- Sobol indices
def sobol_input_labels(result: ScoreResult, inputs) -> np.ndarray:
    """Localised names of Sobol inputs (``weight_<indicator>``, ``normalisation``, …)."""
    language = result.params.language
    labels = indicator_labels(result)
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
            for key, label in labels.items()
        }
    )
    return np.array(
        [fixed.get(name, name) for name in np.asarray(inputs, dtype=object)], dtype=object
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
        frame.insert(0, text("table.station", language), names_of(result, order["station_id"]))
    for index, key in (("S1", "sens.sobol_first_n"), ("ST", "sens.sobol_total_n")):
        for n in sizes:
            # + 0.0 turns a rounded -0.0 (a tiny negative estimate) into 0.0
            frame[text(key, language, n=int(n))] = (
                np.round(wide[(index, n)].to_numpy(dtype=float), 3) + 0.0
            )
    return frame


def sobol_chart(result: ScoreResult, sobol: pd.DataFrame) -> alt.Chart:
    """First-order (S1) and total-effect (ST) Sobol indices per input, at the largest N (2N).

    ``sobol`` is :func:`fivecolor.analysis.sensitivity.sobol` (one output, no ``station_id``). Inputs
    keep the analysis' order; a slightly negative S1 (estimation noise) is drawn at 0 and its
    estimate shown in the tooltip.
    """
    language = result.params.language
    n = int(sobol["n"].max())
    largest = sobol[sobol["n"] == n]
    inputs = sobol_input_labels(result, largest["input"])
    kinds = [text("sens.sobol_first", language), text("sens.sobol_total", language)]
    data = pd.DataFrame(
        {
            "input": np.repeat(inputs, 2),
            "kind": np.tile(kinds, len(largest)),
            "estimate": largest[["S1", "ST"]].to_numpy(dtype=float).round(4).ravel(),
        }
    ).assign(bar=lambda f: f["estimate"].clip(lower=0))
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y(
                "input:N", sort=list(dict.fromkeys(inputs)), title=text("sens.input", language)
            ),
            yOffset=alt.YOffset("kind:N", sort=kinds),
            x=alt.X(
                "bar:Q", title=text("sens.sobol_index", language), scale=alt.Scale(domain=[0, 1])
            ),
            color=alt.Color(
                "kind:N",
                title=text("sens.sobol_kind", language),
                sort=kinds,
                scale=alt.Scale(domain=kinds, range=["#6b8fb3", "#1f3b5a"]),
            ),
            tooltip=[
                alt.Tooltip("input:N", title=text("sens.input", language)),
                alt.Tooltip("kind:N", title=text("sens.sobol_kind", language)),
                alt.Tooltip("estimate:Q", title=text("sens.sobol_index", language), format=".3f"),
            ],
        )
        .properties(width=380, height=alt.Step(9), title=text("chart.sobol", language, n=n))
    )


# --------------------------------------------------------------------------- cut-offs
def cutoff_shift_header(result: ScoreResult) -> str:
    """Header of the shift: points for cut-offs, percentage points for quantile bands."""
    key = (
        "sens.shift_points"
        if BandRule.of(result.params.bands).is_absolute
        else "sens.shift_quantile"
    )
    return text(key, result.params.language)


def cutoff_labels(result: ScoreResult) -> list[str]:
    """Names of the four cut-offs and of "all four", e.g. ``"Red (excellent) cut-off (90)"``."""
    language = result.params.language
    values = BandRule.of(result.params.bands).boundaries
    return [
        *(
            text("sens.cutoff_of", language, band=BAND_LABELS[band][language], value=f"{value:g}")
            for band, value in zip(BANDS[:4], values, strict=True)
        ),
        text("sens.cutoff_all", language),
    ]


def cutoff_shift_chart(result: ScoreResult, counts: pd.DataFrame) -> alt.Chart:
    """Stations changing colour as each cut-off moves alone (in the colour of the grade it
    opens) and as all four move together (black), against the shift.

    ``counts`` is :func:`fivecolor.analysis.sensitivity.cutoff_shift_counts`.
    """
    language = result.params.language
    series = cutoff_labels(result)
    columns = [*BANDS[:4], "all"]
    shifts = counts.index.to_numpy(dtype=float)
    data = pd.DataFrame(
        {
            "shift": np.tile(shifts, len(columns)),
            "series": np.repeat(series, len(shifts)),
            "count": counts[columns].to_numpy().T.ravel(),
        }
    )
    colours = [BAND_COLOURS[band] for band in BANDS[:4]] + ["#222222"]
    shift_title = cutoff_shift_header(result)
    return (
        alt.Chart(data)
        .mark_line(point=True, strokeWidth=2)
        .encode(
            x=alt.X("shift:Q", title=shift_title),
            y=alt.Y("count:Q", title=text("sens.stations_changed", language)),
            color=alt.Color(
                "series:N",
                title=text("sens.moved_cutoff", language),
                sort=series,
                scale=alt.Scale(domain=series, range=colours),
            ),
            tooltip=[
                alt.Tooltip("series:N", title=text("sens.moved_cutoff", language)),
                alt.Tooltip("shift:Q", title=shift_title, format="+.2g"),
                alt.Tooltip("count:Q", title=text("sens.stations_changed", language)),
            ],
        )
        .properties(width=460, height=260, title=text("chart.cutoff_shift", language))
    )


def cutoff_shift_table(result: ScoreResult, counts: pd.DataFrame) -> pd.DataFrame:
    """Stations changing colour per shift (from :func:`fivecolor.analysis.sensitivity.cutoff_shift_counts`).

    One row per shift; one column per cut-off moved alone (named by the grade it opens and its
    value), and one for all four moved together.
    """
    frame = pd.DataFrame(
        {cutoff_shift_header(result): np.round(counts.index.to_numpy(dtype=float), 2)}
    )
    for label, column in zip(cutoff_labels(result), [*BANDS[:4], "all"], strict=True):
        frame[label] = counts[column].to_numpy()
    return frame


def cutoff_distance_table(result: ScoreResult, distances: pd.DataFrame) -> pd.DataFrame:
    """Each station's distance to the next grade up and down (from
    :func:`fivecolor.analysis.sensitivity.cutoff_distances`), best rank first, points rounded to 2."""
    language = result.params.language
    columns = {
        "table.rank": distances["rank"].astype("Int64").array,
        "table.station": names_of(result, distances["station_id"]),
        "table.score": np.round(distances["score"].to_numpy(dtype=float), 2),
        "table.band": band_label_or_empty(distances["band"], language),
        "sens.next_up": band_label_or_empty(distances["next_up"], language),
        "sens.distance_up": np.round(distances["distance_up"].to_numpy(dtype=float), 2),
        "sens.next_down": band_label_or_empty(distances["next_down"], language),
        "sens.distance_down": np.round(distances["distance_down"].to_numpy(dtype=float), 2),
    }
    return pd.DataFrame({text(key, language): values for key, values in columns.items()})


# --------------------------------------------------------------------------- schemes and influence
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
    labels = indicator_labels(result)
    frame = pd.DataFrame({text("sens.scheme", language): scheme_labels(result, weights.index)})
    for key in result.params.indicator_keys:
        frame[labels[key]] = percent(weights[key].to_numpy(dtype=float))
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
        "table.indicator": indicator_labels(result).loc[keys].to_numpy(),
        "sens.nominal_weight": percent(influence["nominal_weight"]),
        "sens.effective_weight": percent(influence["effective_weight"]),
        "sens.influence_ratio": np.round(influence["ratio"].to_numpy(dtype=float), 2),
        "sens.pearson_r": np.round(influence["pearson_r"].to_numpy(dtype=float), 3),
        "sens.loo_mean_shift": np.round(loo["mean_abs_rank_shift"].to_numpy(dtype=float), 2),
        "sens.loo_max_shift": pd.array(
            np.round(loo["max_abs_rank_shift"].to_numpy(dtype=float)), dtype="Int64"
        ),
        "sens.loo_band_changes": pd.array(loo["band_changes"].to_numpy(dtype=float), dtype="Int64"),
    }
    return pd.DataFrame({text(key, language): values for key, values in columns.items()})


# --------------------------------------------------------------------------- the lead
def lead_sentences(
    result: ScoreResult, uncertainty: pd.DataFrame, colour_indices: pd.DataFrame
) -> list[str]:
    """Three plain sentences for a committee: how many stations keep their colour under every
    reasonable choice (in at least 90% of the samples), how many are borderline (their colour
    differs in more than a third), and which choice matters most for the colours (the largest
    total Sobol index, at 2N, on the number of stations changing colour; from
    :func:`fivecolor.analysis.sensitivity.colour_sobol`)."""
    language = result.params.language
    held = uncertainty["p_published"].dropna().to_numpy(dtype=float)
    kept, borderline = int(np.sum(held >= 0.9)), int(np.sum(held < 2 / 3))
    changes = colour_indices[colour_indices["output"] == "colour_changes"]
    largest = changes[changes["n"] == changes["n"].max()]
    top = largest.loc[largest["ST"].idxmax()]
    return [
        text("sens.lead.kept", language, kept=kept, n=len(held)),
        text(
            "sens.lead.borderline",
            language,
            borderline=borderline,
            middle=len(held) - kept - borderline,
        ),
        text(
            "sens.lead.driver",
            language,
            input=sobol_input_labels(result, [top["input"]])[0],
            share=f"{min(max(float(top['ST']), 0.0), 1.0):.0%}",
        ),
    ]


def colour_sobol_table(result: ScoreResult, colour_indices: pd.DataFrame) -> pd.DataFrame:
    """The colour-level Sobol indices (:func:`fivecolor.analysis.sensitivity.colour_sobol`): one
    row per output and input, S1 and ST at N and 2N (see :func:`sobol_table`)."""
    language = result.params.language
    outputs = {
        "colour_changes": text("sens.output_colour_changes", language),
        "colour_changed": text("sens.output_colour_changed", language),
        "rank": text("sens.output_rank", language),
    }
    frames = []
    for output, rows in colour_indices.groupby("output", sort=False):
        frame = sobol_table(result, rows.drop(columns="output"))
        frame.insert(0, text("sens.output", language), outputs.get(str(output), str(output)))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- other methods
def method_labels(result: ScoreResult, names) -> np.ndarray:
    """Localised names of the methods of :func:`fivecolor.analysis.compare.compare_methods`."""
    language = result.params.language
    aggregations = {
        "arithmetic": text("sens.method_arithmetic", language),
        "geometric": text("sens.method_geometric", language),
    }
    schemes = scheme_labels(result, names)
    return np.array(
        [aggregations.get(n, s) for n, s in zip(names, schemes, strict=True)], dtype=object
    )


def methods_table(result: ScoreResult, methods) -> pd.DataFrame:
    """One row for the published method, then one per other method (from
    :func:`fivecolor.analysis.compare.compare_methods`): stations changing colour, the count of
    each colour, Spearman's ρ and Kendall's τ with the published composite."""
    language = result.params.language
    t = result.period_index
    published = result.band[t]
    counts = np.array(
        [np.bincount(published[published >= 0], minlength=len(BANDS))]
        + [m.comparison.counts["b"].to_numpy() for m in methods]
    )
    frame = pd.DataFrame(
        {
            text("sens.method", language): [
                text("sens.method_published", language),
                *method_labels(result, [m.name for m in methods]),
            ],
            text("sens.method_changed", language): [0, *(m.comparison.changed for m in methods)],
        }
    )
    for b, band in enumerate(BANDS):
        frame[BAND_LABELS[band][language]] = counts[:, b]
    frame[text("sens.spearman", language)] = [
        1.0,
        *(round(m.comparison.spearman, 3) for m in methods),
    ]
    frame[text("sens.kendall", language)] = [
        1.0,
        *(round(m.comparison.kendall, 3) for m in methods),
    ]
    return frame


def weight_warnings(result: ScoreResult, methods) -> list[str]:
    """A sentence for the published scheme and each compared one that is data-driven and puts
    more than ``sensitivity.max_weight_share`` of the weight on one indicator
    (:func:`fivecolor.analysis.compare.concentrated_weights`)."""
    from fivecolor.analysis.compare import concentrated_weights

    language = result.params.language
    labels = indicator_labels(result)
    limit = f"{result.params.sensitivity.max_weight_share:.0%}"
    runs = [(result.params.weights_scheme.value, result), *((m.name, m.result) for m in methods)]
    return [
        text(
            "sens.weight_warning",
            language,
            scheme=scheme_labels(result, [name])[0],
            share=f"{share:.1%}",
            indicator=labels[str(key)],
            limit=limit,
        )
        for name, run in runs
        for key, share in concentrated_weights(run).items()
    ]


# --------------------------------------------------------------------------- stable colours
def hysteresis_table(result: ScoreResult, effects) -> pd.DataFrame:
    """One row per setting of ``bands.hysteresis`` (pairs of a
    :class:`~fivecolor.params.Hysteresis` and its
    :func:`~fivecolor.analysis.stability.hysteresis_effect`)."""
    language = result.params.language

    def label(option) -> str:
        if option.margin and option.months > 1:
            return text(
                "sens.hysteresis_both", language, margin=f"{option.margin:g}", months=option.months
            )
        if option.margin:
            return text("sens.hysteresis_margin", language, margin=f"{option.margin:g}")
        return text("sens.hysteresis_months", language, months=option.months)

    columns = {
        "sens.hysteresis_option": [label(option) for option, _ in effects],
        "sens.plain_changes": [e.plain_changes for _, e in effects],
        "sens.held_changes": [e.held_changes for _, e in effects],
        "sens.avoided": [e.avoided for _, e in effects],
        "sens.delayed": [e.delayed for _, e in effects],
    }
    return pd.DataFrame({text(key, language): values for key, values in columns.items()})


# --------------------------------------------------------------------------- diagnostics
def diagnostics_tables(result: ScoreResult, found) -> list[tuple[str, pd.DataFrame]]:
    """The Handbook's checks (:func:`fivecolor.analysis.diagnostics.diagnostics`) as titled
    tables for the appendix: correlation with the composite and alpha without each
    indicator, the correlation matrix, the principal components, skew and kurtosis."""
    language = result.params.language
    labels = indicator_labels(result)
    keys = list(found.with_composite.index)
    flags = {
        "negative": text("sens.flag_negative", language),
        "weak": text("sens.flag_weak", language),
        "": "",
    }
    correlation = pd.DataFrame(
        {
            text("table.indicator", language): labels.loc[keys].to_numpy(),
            text("sens.correlation_r", language): found.with_composite["r"].round(3).to_numpy(),
            text("sens.flag", language): [flags[f] for f in found.with_composite["flag"]],
            text("sens.alpha_dropped", language): found.alpha_dropped.round(3).to_numpy(),
        }
    )
    matrix = found.correlations.round(2)
    matrix.index = labels.loc[keys].to_numpy()
    matrix.columns = labels.loc[keys].to_numpy()
    matrix = matrix.reset_index(names=text("table.indicator", language))
    pca = pd.DataFrame(
        {
            text("sens.component", language): found.pca.index.to_numpy(),
            text("sens.eigenvalue", language): found.pca["eigenvalue"].round(3).to_numpy(),
            text("sens.explained", language): percent(found.pca["explained"]),
            text("sens.cumulative", language): percent(found.pca["cumulative"]),
        }
    )
    yes = text("sens.yes", language)
    shape = pd.DataFrame(
        {
            text("table.indicator", language): labels.loc[keys].to_numpy(),
            text("sens.skew", language): found.shape["skew"].round(2).to_numpy(),
            text("sens.kurtosis", language): found.shape["kurtosis"].round(2).to_numpy(),
            text("sens.outliers", language): np.where(found.shape["outliers"], yes, ""),
        }
    )
    return [
        (text("sens.diag_alpha", language, alpha=f"{found.alpha:.3f}"), correlation),
        (text("sens.diag_matrix", language), matrix),
        (text("sens.diag_pca", language), pca),
        (text("sens.diag_shape", language), shape),
    ]


def colour_sobol_chart(result: ScoreResult, colour_indices: pd.DataFrame) -> alt.Chart:
    """:func:`sobol_chart` of the number of stations changing colour, from
    :func:`fivecolor.analysis.sensitivity.colour_sobol`."""
    changes = colour_indices[colour_indices["output"] == "colour_changes"]
    return sobol_chart(result, changes.drop(columns="output"))
