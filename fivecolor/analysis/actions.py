"""From colours to action: the path to the next colour, department help, stages.

The five-colour map exists to drive improvement. This module turns a scored month
(:class:`~fivecolor.scoring.pipeline.ScoreResult`) into the tables the committee acts on:

- :func:`next_colour`: per station below red, the value one indicator alone would need to
  reach to lift the station into the next colour, in the indicator's own units, ranked by
  effort;
- :func:`department_help`: per owning department, the stations lagging on its indicators (帮扶);
- :func:`stage_progress` and :func:`colour_shares`: the march toward "all red" (红色全优);
- the tables written to ``actions/`` are assembled by :mod:`fivecolor.analysis.action_files`.

Everything is computed under the result's own parameters and weights (data-driven weights are
held at the values learned for the month). Ties are broken by ``station_id``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fivecolor.analysis.month import colour_counts, indicator_labels
from fivecolor.params import Aggregation, Normalisation
from fivecolor.scoring import bands as bandmod
from fivecolor.scoring.bands import BANDS, RED, YELLOW, BandRule
from fivecolor.scoring.normalise import IndicatorArrays, normalise
from fivecolor.scoring.pipeline import ScoreResult, composite_scores

#: Bisection stops when every bracket is this narrow relative to the value (or after the cap).
BISECTION_RTOL = 1e-12
MAX_BISECTIONS = 200
#: Trial months scored at once in the numerical solve (bounds memory for large companies).
TRIAL_CELLS = 4_000_000
#: The composite is rounded to 9 decimals before banding; a score must clear a tied rival by this.
SCORE_STEP = 1e-9
#: Decimals kept for floats in the CSV files (``required`` is rounded outward to 4 first).
CSV_DECIMALS = 6

NEXT_COLOUR_COLUMNS = (
    "station_id",
    "name",
    "band_from",
    "band_to",
    "score",
    "target_score",
    "indicator",
    "indicator_label",
    "unit",
    "current",
    "required",
    "change",
    "normalised_current",
    "normalised_required",
    "bound",
    "spread",
    "effort",
    "option",
    "feasible",
    "method",
)
DEPARTMENT_COLUMNS = (
    "department",
    "department_label",
    "indicator",
    "indicator_label",
    "unit",
    "station_id",
    "name",
    "band",
    "normalised",
    "level",
    "gap_points",
    "current",
    "target",
    "gap_units",
)

__all__ = [
    "colour_shares",
    "department_help",
    "next_colour",
    "stage_progress",
]


# -- shared views of the month ---------------------------------------------------------------
def _units(result: ScoreResult) -> np.ndarray:
    return np.array(
        [s.unit_in(result.params.language) for s in result.params.indicators.values()], dtype=object
    )


def _names(result: ScoreResult) -> np.ndarray:
    return result.data.stations["name"].to_numpy(dtype=object)


def _band_names(codes: np.ndarray) -> np.ndarray:
    return np.array((*BANDS, ""), dtype=object)[codes]


def _inverse_goalposts(level: np.ndarray, ind: IndicatorArrays) -> np.ndarray:
    """Raw values scoring ``level`` (0..100) under goalposts: the normalisation run backwards."""
    worst, best = ind.transform(ind.worst), ind.transform(ind.best)
    y = worst + np.asarray(level, dtype=float) / 100.0 * (best - worst)
    return np.where(ind.log, np.exp(np.where(ind.log, y, 0.0)), y)


def _achievable(result: ScoreResult, ind: IndicatorArrays) -> np.ndarray:
    """Per indicator, the best value that counts as achievable: the company's best this month,
    never beyond the best goalpost (under goalposts nothing past it scores more)."""
    month = result.filled[result.period_index]
    with np.errstate(invalid="ignore"):
        company_best = np.where(ind.sign > 0, np.nanmax(month, axis=0), np.nanmin(month, axis=0))
    return np.where(
        ind.sign > 0, np.minimum(company_best, ind.best), np.maximum(company_best, ind.best)
    )


def _spread(result: ScoreResult, ind: IndicatorArrays) -> np.ndarray:
    """Each indicator's spread across stations this month: the interquartile range of the raw
    values; the standard deviation where the IQR is zero, the goalpost span where both are."""
    month = result.filled[result.period_index]
    q1, q3 = np.nanpercentile(month, [25, 75], axis=0)
    sd = np.nanstd(month, axis=0)
    return np.where(q3 > q1, q3 - q1, np.where(sd > 0, sd, np.abs(ind.best - ind.worst)))


def _rescore(
    result: ScoreResult, month_values: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Normalise, aggregate and band trial months ``(..., S, I)`` as :func:`~fivecolor.scoring.pipeline.score`
    does, weights held at the result's. Returns (normalised, composite, band)."""
    params = result.params
    normalised = normalise(
        month_values, IndicatorArrays.from_params(params), params.normalisation.value
    )
    composite, _ = composite_scores(normalised, result.weights, params)
    composite = np.round(composite, 9)
    return normalised, composite, BandRule.of(params.bands).assign(composite)


def _is_affine_in_scores(result: ScoreResult) -> bool:
    """Absolute normalisation and arithmetic means at every level: the composite is affine in
    each indicator's normalised score, so the path can be solved by algebra."""
    params = result.params
    if params.normalisation is not Normalisation.goalposts:
        return False
    if params.aggregation is not Aggregation.arithmetic:
        return False
    groups = params.groups or {}
    return all(g.aggregation in (None, Aggregation.arithmetic) for g in groups.values())


def _band_thresholds(result: ScoreResult) -> tuple[np.ndarray, np.ndarray]:
    """Per station, the composite needed for the next colour up and the band it then reaches.

    Cut-offs: the next band's cut-off; with a stable-colours margin (``bands.hysteresis``) the
    cut-off plus the margin to rise above last month's colour, minus it to return to it (the
    ``months`` rule is not planned for: it only delays). Quantiles: the score of the station at the boundary of the
    next band (the last one in it); a station listed after it must beat it by :data:`SCORE_STEP`,
    one listed before it may tie (ties rank by position, i.e. by station id).
    """
    t = result.period_index
    band, composite = result.band[t], result.composite[t]
    target_band = np.maximum(band - 1, 0)
    rule = BandRule.of(result.params.bands)
    if rule.is_absolute:
        cut = rule.boundaries[target_band]
        hysteresis = result.params.bands.hysteresis
        p = result.previous_index()
        if hysteresis is None or not hysteresis.margin or p is None:
            return cut, target_band
        # stable colours: rising above last month's colour takes the margin past the cut-off;
        # getting back to it (or staying above where it fell to) only coming within the margin
        previous = result.band[p]
        above_last = target_band < previous
        margin = np.where(previous == bandmod.NO_BAND, 0.0, hysteresis.margin)
        return cut + np.where(above_last, margin, -margin), target_band
    n = int(np.sum(~np.isnan(composite)))
    bounds = bandmod.quantile_counts(n, rule.boundaries)  # stations at or above each boundary
    boundary_rank = bounds[target_band]  # the last rank inside the target band
    rank = result.rank[t]
    by_rank = np.full(len(composite) + 1, -1)
    scored = ~np.isnan(rank)
    by_rank[rank[scored].astype(int)] = np.flatnonzero(scored)
    boundary = by_rank[boundary_rank]  # -1 where nobody is there (the band and all above are empty)
    threshold = np.where(boundary >= 0, composite[boundary], np.nan)
    threshold = threshold + np.where(np.arange(len(composite)) > boundary, SCORE_STEP, 0.0)
    reached = np.sum(boundary_rank[:, None] > bounds[None, :], axis=1)
    return threshold, reached


# -- path to the next colour -----------------------------------------------------------------
def _candidates(
    result: ScoreResult, bound: np.ndarray, ind: IndicatorArrays
) -> tuple[np.ndarray, np.ndarray]:
    """(station, indicator) pairs worth solving: stations below red, reported cells not yet at the bound."""
    t = result.period_index
    current = result.filled[t]
    below_red = (result.band[t] > RED)[:, None]
    room = (bound - current) * ind.sign > 0
    s, i = np.nonzero(below_red & room & ~result.missing[t] & ~np.isnan(current))
    return s, i


def _solve_exact(
    result: ScoreResult,
    s: np.ndarray,
    i: np.ndarray,
    ind: IndicatorArrays,
) -> tuple[np.ndarray, np.ndarray]:
    """Required raw values by algebra; returns (required, reached band).

    The composite's slope in indicator ``i``'s normalised score is read off by re-aggregating
    with the score at 0 and at 100 (exact for arithmetic means, missing cells reweighted and
    groups included); the needed score is then run back through the goalposts and the transform.
    """
    t = result.period_index
    month = result.normalised[t]
    threshold, reached = _band_thresholds(result)
    n_ind = month.shape[1]
    diag = np.arange(n_ind)
    ends = []
    for level in (0.0, 100.0):
        lifted = np.broadcast_to(month, (n_ind, *month.shape)).copy()  # (I, S, I)
        lifted[diag, :, diag] = np.where(np.isnan(month.T), np.nan, level)
        ends.append(composite_scores(lifted, result.weights, result.params)[0].T)  # (S, I)
    slope = (ends[1] - ends[0]) / 100.0
    composite, _ = composite_scores(
        month, result.weights, result.params
    )  # unrounded, for exactness
    with np.errstate(divide="ignore", invalid="ignore"):
        needed = month[s, i] + (threshold[s] - composite[s]) / slope[s, i]
    needed = np.where(slope[s, i] > 0, needed, np.inf)
    required = np.where(
        needed <= 100.0, _inverse_goalposts(np.clip(needed, 0, 100), _take(ind, i)), np.nan
    )
    return required, reached[s]


def _take(ind: IndicatorArrays, i: np.ndarray) -> IndicatorArrays:
    """The catalogue arrays picked per candidate, so one call serves all candidates."""
    return IndicatorArrays(worst=ind.worst[i], best=ind.best[i], sign=ind.sign[i], log=ind.log[i])


def _solve_numeric(
    result: ScoreResult,
    s: np.ndarray,
    i: np.ndarray,
    bound: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Required raw values by a vectorised bisection on "the re-scored month puts the station in a
    better colour"; returns (required, reached band).

    Every candidate's month is re-scored whole, so relative normalisations (the others' scores
    move), geometric means and quantile bands are all handled by the same predicate. The bracket
    is [current value, achievable bound]; candidates whose bound does not suffice are infeasible.
    """
    t = result.period_index
    base = result.filled[t]
    target_band = result.band[t, s] - 1
    required = np.full(len(s), np.nan)
    reached = np.full(len(s), bandmod.NO_BAND)
    chunk = max(1, TRIAL_CELLS // base.size)
    for start in range(0, len(s), chunk):
        cs, ci = s[start : start + chunk], i[start : start + chunk]
        k = np.arange(len(cs))
        trials = np.broadcast_to(base, (len(cs), *base.shape)).copy()

        def better(x: np.ndarray, trials=trials, k=k, cs=cs, ci=ci) -> np.ndarray:
            # this chunk's arrays bound as defaults: the closure never outlives the iteration
            trials[k, cs, ci] = x
            return _rescore(result, trials)[2][k, cs]

        lo, hi = base[cs, ci], bound[ci].astype(float)
        feasible = better(hi) <= target_band[start : start + chunk]
        for _ in range(MAX_BISECTIONS):
            if np.all(np.abs(hi - lo) <= BISECTION_RTOL * np.maximum(1.0, np.abs(hi))):
                break
            mid = 0.5 * (lo + hi)
            ok = better(mid) <= target_band[start : start + chunk]
            hi, lo = np.where(ok, mid, hi), np.where(ok, lo, mid)
        required[start : start + chunk] = np.where(feasible, hi, np.nan)
        reached[start : start + chunk] = np.where(feasible, better(hi), bandmod.NO_BAND)
    return required, reached


def next_colour(
    result: ScoreResult, solver: str = "auto", include_infeasible: bool = False
) -> pd.DataFrame:
    """The smallest single-indicator improvements that lift each station into the next colour.

    For every station below red and every indicator it reported, the value that indicator alone
    must reach (everything else as it is) for the re-scored station to reach the next band up,
    e.g. "line loss 6.1 → 5.3 %". Options beyond the achievable bound (the company's best value
    this month, never past the best goalpost) are infeasible and left out unless asked for.

    Parameters
    ----------
    result
        A scored month.
    solver
        ``"exact"``: algebra through the inverse normalisation (goalposts with arithmetic means
        only); ``"numeric"``: vectorised bisection on the re-scored month (any method);
        ``"auto"``: exact where it applies, numeric otherwise.
    include_infeasible
        Keep infeasible options (``required`` NaN, ``feasible`` False).

    Returns
    -------
    DataFrame
        One row per (station, indicator) option, columns :data:`NEXT_COLOUR_COLUMNS`: ``current``
        and ``required`` in the indicator's units; ``target_score`` the composite needed (the
        cut-off, or under quantile bands the boundary station's score); ``effort`` =
        ``|required - current| / spread`` with ``spread`` the indicator's interquartile range
        across stations this month; ``option`` 1 = least effort for that station. Sorted by
        station id, then option.

    Examples
    --------
    >>> options = next_colour(result)  # doctest: +SKIP
    >>> options[options.station_id == "meilin"].head(3)  # doctest: +SKIP
    """
    exact_ok = _is_affine_in_scores(result)
    if solver == "auto":
        solver = "exact" if exact_ok else "numeric"
    if solver not in ("exact", "numeric"):
        raise ValueError(f"solver must be auto, exact or numeric, got {solver!r}")
    if solver == "exact" and not exact_ok:
        raise ValueError(
            "the exact solver needs goalposts normalisation and arithmetic aggregation"
        )
    ind = IndicatorArrays.from_params(result.params)
    t = result.period_index
    bound = _achievable(result, ind)
    s, i = _candidates(result, bound, ind)
    if solver == "exact":
        required, reached = _solve_exact(result, s, i, ind)
        # at or past the bound is out of reach (a tie with the bound is still reachable)
        feasible = ~np.isnan(required) & (
            (bound[i] - required) * ind.sign[i] >= -1e-12 * np.abs(bound[i])
        )
        required = np.where(feasible, required, np.nan)
    else:
        required, reached = _solve_numeric(result, s, i, bound)
        feasible = ~np.isnan(required)
    threshold, _ = _band_thresholds(result)
    normalised_required = _normalised_at(result, s, i, required)
    current = result.filled[t, s, i]
    spread = _spread(result, ind)[i]
    effort = np.abs(required - current) / spread
    frame = pd.DataFrame(
        {
            "station_id": result.data.station_ids.to_numpy()[s],
            "name": _names(result)[s],
            "band_from": _band_names(result.band[t, s]),
            "band_to": _band_names(np.where(feasible, reached, bandmod.NO_BAND)),
            "score": result.composite[t, s],
            "target_score": np.round(threshold[s], 9),
            "indicator": np.asarray(result.data.indicators, dtype=object)[i],
            "indicator_label": indicator_labels(result)[i],
            "unit": _units(result)[i],
            "current": current,
            "required": required,
            "change": required - current,
            "normalised_current": result.normalised[t, s, i],
            "normalised_required": normalised_required,
            "bound": bound[i],
            "spread": spread,
            "effort": effort,
            "feasible": feasible,
            "method": solver,
        }
    )
    if not include_infeasible:
        frame = frame[frame["feasible"]]
    frame = frame.sort_values(
        ["station_id", "effort", "indicator"], na_position="last", kind="stable"
    )
    frame["option"] = frame.groupby("station_id").cumcount() + 1
    return frame[list(NEXT_COLOUR_COLUMNS)].reset_index(drop=True)


def _normalised_at(
    result: ScoreResult, s: np.ndarray, i: np.ndarray, values: np.ndarray
) -> np.ndarray:
    """The station's own normalised score with its one cell set to ``values`` (NaN stays NaN)."""
    if len(s) == 0:
        return np.empty(0)
    base = result.filled[result.period_index]
    params = result.params
    ind = IndicatorArrays.from_params(params)
    if params.normalisation is Normalisation.goalposts:  # no need to re-score the month
        cells = np.broadcast_to(base[s], (len(s), base.shape[1])).copy()
        cells[np.arange(len(s)), i] = values
        out = normalise(cells, ind, "goalposts")[np.arange(len(s)), i]
    else:
        out = np.full(len(s), np.nan)
        chunk = max(1, TRIAL_CELLS // base.size)
        for start in range(0, len(s), chunk):
            k = np.arange(min(chunk, len(s) - start))
            cs, ci = s[start : start + len(k)], i[start : start + len(k)]
            trials = np.broadcast_to(base, (len(k), *base.shape)).copy()
            trials[k, cs, ci] = values[start : start + len(k)]
            out[start : start + len(k)] = normalise(trials, ind, params.normalisation.value)[
                k, cs, ci
            ]
    return np.where(np.isnan(values), np.nan, out)


# -- department help -------------------------------------------------------------------------
def _value_at_level(result: ScoreResult, level: np.ndarray, i: np.ndarray) -> np.ndarray:
    """Raw values of indicator ``i`` that score ``level`` this month.

    Goalposts: the exact inverse. Relative methods: read off this month's stations, interpolating
    between the (score, value) pairs of the indicator (the others held where they are).
    """
    ind = IndicatorArrays.from_params(result.params)
    if result.params.normalisation is Normalisation.goalposts:
        return _inverse_goalposts(level, _take(ind, i))
    t = result.period_index
    out = np.full(len(i), np.nan)
    for key in np.unique(i):  # one interpolation table per indicator (ten at most)
        scores, values = result.normalised[t, :, key], result.filled[t, :, key]
        ok = ~np.isnan(scores) & ~np.isnan(values)
        order = np.lexsort((values[ok] * ind.sign[key], scores[ok]))
        mask = i == key
        out[mask] = np.interp(level[mask], scores[ok][order], values[ok][order])
    return out


def department_help(result: ScoreResult) -> pd.DataFrame:
    """Per department, the stations lagging on the indicators it owns (帮扶), with their gaps.

    A station lags on an indicator when it sits in the bottom band on that indicator (the band
    method applied to the indicator's normalised scores), or, when ``actions.department_threshold``
    is set, when its normalised score is below it. ``level`` is the normalised score to reach:
    the threshold, or the next band's level (the lowest cut-off; under quantile bands the lowest
    score outside the bottom band). ``gap_points = level - normalised``; ``target`` is the raw
    value scoring ``level`` and ``gap_units = target - current``. Indicators without a department
    are left out. Columns :data:`DEPARTMENT_COLUMNS`, in the parameters' department order.
    """
    params = result.params
    t = result.period_index
    month = result.normalised[t]  # (S, I)
    departments = np.array([s.department or "" for s in params.indicators.values()], dtype=object)
    threshold = params.actions.department_threshold
    if threshold is not None:
        lagging = month < threshold
        level = np.full(month.shape[1], float(threshold))
    else:
        rule = BandRule.of(params.bands)
        indicator_band = rule.assign(month.T, ties="shared").T
        lagging = indicator_band == YELLOW
        if rule.is_absolute:
            level = np.full(month.shape[1], float(rule.boundaries[-1]))
        else:
            above = np.where((indicator_band < YELLOW) & (indicator_band >= 0), month, np.inf)
            level = np.min(above, axis=0)
    lagging &= (departments != "")[None, :] & ~np.isnan(month) & np.isfinite(level)[None, :]
    s, i = np.nonzero(lagging)
    current = result.filled[t, s, i]
    target = _value_at_level(result, level[i], i)
    dept = departments[i]
    frame = pd.DataFrame(
        {
            "department": dept,
            "department_label": [
                params.label(params.departments[d]) if d in params.departments else d for d in dept
            ],
            "indicator": np.asarray(result.data.indicators, dtype=object)[i],
            "indicator_label": indicator_labels(result)[i],
            "unit": _units(result)[i],
            "station_id": result.data.station_ids.to_numpy()[s],
            "name": _names(result)[s],
            "band": _band_names(result.band[t, s]),
            "normalised": np.round(month[s, i], 4),
            "level": level[i],
            "gap_points": np.round(level[i] - month[s, i], 4),
            "current": current,
            "target": target,
            "gap_units": target - current,
        },
        columns=list(DEPARTMENT_COLUMNS),
    )
    unlisted = sorted(set(dept) - set(params.departments))  # departments named but not labelled
    dept_order = {d: k for k, d in enumerate([*params.departments, *unlisted])}
    ind_order = {k: n for n, k in enumerate(result.data.indicators)}
    frame["_d"], frame["_i"] = (
        frame["department"].map(dept_order),
        frame["indicator"].map(ind_order),
    )
    frame = frame.sort_values(["_d", "_i", "normalised", "station_id"], kind="stable")
    return frame.drop(columns=["_d", "_i"]).reset_index(drop=True)


# -- toward all red --------------------------------------------------------------------------
def colour_shares(result: ScoreResult) -> pd.DataFrame:
    """Stations per colour in every month, with the number scored and the share of red."""
    counts = colour_counts(result)
    scored = counts.sum(axis=1)
    red_share = np.where(scored > 0, counts["red"] / scored.where(scored > 0, 1), np.nan)
    return counts.assign(scored=scored, red_share=red_share).reset_index()


def stage_progress(result: ScoreResult) -> pd.DataFrame:
    """The stages toward "all red" (``actions.stages``) against the reported month.

    One row per stage: its deadline ``period``, ``label``, ``target_share`` of red stations and
    the count that means (rounded up), the reported month's red count and share, ``gap_share``
    and ``stations_to_go`` (0 when met), ``months_left`` to the deadline (negative when past) and
    ``met``.
    """
    params = result.params
    stages = params.actions.stages
    shares = colour_shares(result).set_index("period").loc[params.period].to_dict()
    scored, red = int(shares["scored"]), int(shares["red"])
    share = float(shares["red_share"])
    target = np.array([s.red_share for s in stages], dtype=float)
    # the smallest count whose share reaches the target (a hair of slack for 0.3 * 10 = 3.0000000000000004)
    needed = np.ceil(target * scored - 1e-9).astype(int)
    reported = pd.Period(params.period, freq="M")
    months_left = [(pd.Period(s.period, freq="M") - reported).n for s in stages]
    return pd.DataFrame(
        {
            "stage": np.arange(1, len(stages) + 1),
            "label": [params.label(s.label) if s.label else "" for s in stages],
            "period": [s.period for s in stages],
            "target_share": target,
            "target_count": needed,
            "latest_period": params.period,
            "scored": scored,
            "red_count": red,
            "red_share": share,
            "gap_share": np.maximum(target - share, 0.0),
            "stations_to_go": np.maximum(needed - red, 0),
            "months_left": np.asarray(months_left, dtype=int),
            "met": red >= needed,
        }
    )
