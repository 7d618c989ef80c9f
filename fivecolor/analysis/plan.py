"""A combined plan to the next colour for every station below red (一所一策).

Where :func:`fivecolor.analysis.actions.next_colour` moves one indicator at a time, a plan may
move several at once: the least-effort set of gains, in each indicator's own units, that lifts
the station into the next colour.

Effort model (``actions.plan.effort``)
    A gain ``g_i`` (in the better direction, in the indicator's units) is measured in the
    indicator's spread across stations this month, ``s_i`` (the interquartile range, see
    :func:`fivecolor.analysis.actions._spread`). ``linear`` (the default): the plan's effort is
    ``Σ g_i / s_i``. Every spread costs the same, so the plan fills the indicator that buys the
    most composite points per spread first, up to its bound, then the next (the greedy fractional
    knapsack), and names few indicators: the few real targets a station manager signs.
    ``quadratic``: the effort is ``Σ (g_i / s_i)²``; a second spread on one indicator costs
    three times the first, so the plan shares the points out over nearly every indicator.

Bounds
    Each target lies between the current value and a realistic bound (``actions.plan``): a high
    percentile of the values the company observed over the last ``history_months`` months (default
    P90 of 12 months), the company's best observed value, or the best goalpost; never past the best
    goalpost. Missing cells are not planned.

Solver
    With ``a_i`` the composite's slope in indicator ``i``, the constraint is ``Σ a_i g_i ≥ D``,
    ``0 ≤ g_i ≤ u_i``. Linear effort: a linear programme whose optimum is the greedy fill by
    ratio ``a_i s_i`` (points per spread), best first, each up to its bound, the last one
    partly (:func:`greedy_fill`). Quadratic effort: the closed-form KKT solution
    ``g_i = min(μ a_i s_i², u_i)`` (water-filling, :func:`water_fill`), ``μ`` found exactly from
    the sorted breakpoints. Both for all stations at once. The composite is affine in each value
    within the bounds for arithmetic aggregation of goalposts (no log transform, values inside the
    goalposts) at every level, so one step is exact. Otherwise (geometric means, log transforms,
    relative normalisations) the constraint is re-linearised at the last plan and solved again
    (sequential linear or water-filling steps) until the plan settles; linear steps jump between
    vertices, so each station's step is kept within a trust region (in spreads) that halves when
    a gain turns back. In every case the plan is then verified by re-scoring: the smallest
    multiple of the plan (along the segment to all bounds when the plan falls short) that
    re-scores into the next colour is found by bisection, so the published plan reaches the
    colour and any proportionally smaller one does not. Under quantile bands the threshold is
    the boundary station's score (:func:`fivecolor.analysis.actions._band_thresholds`); under
    relative normalisations the whole month is re-scored.

When even every indicator at its bound leaves the station short, the plan says so: ``status``
``short``, ``shortfall`` the composite points still missing and ``binding`` the bound that binds.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from fivecolor.analysis.actions import (
    _band_names,
    _band_thresholds,
    _names,
    _rescore,
    _spread,
    _units,
)
from fivecolor.analysis.month import indicator_labels
from fivecolor.params import Normalisation
from fivecolor.params.model import PlanBound, PlanEffort
from fivecolor.scoring.bands import RED, BandRule
from fivecolor.scoring.normalise import IndicatorArrays, normalise
from fivecolor.scoring.pipeline import ScoreResult, composite_scores

__all__ = [
    "PLAN_COLUMNS",
    "effort_of",
    "greedy_fill",
    "plan_bounds",
    "plans",
    "reconcile_targets",
    "water_fill",
]

#: Sequential water-filling stops after this many re-linearisations (one suffices when affine).
MAX_ROUNDS = 40
#: ... or when no gain moved by more than this many spreads.
ROUND_TOL = 1e-10
#: Bisection along the plan stops when the bracket is this narrow (in multiples of the plan).
RAY_TOL = 1e-13
MAX_BISECTIONS = 100
#: Finite-difference step for slopes, in spreads.
SLOPE_STEP = 1e-6
#: Trial months re-scored at once under relative normalisations.
TRIAL_CELLS = 4_000_000
#: Gains smaller than this many spreads are no part of the plan.
NEGLIGIBLE = 1e-9
#: A target this many spreads short of its bound is at the bound (the tightening along the plan
#: leaves bound gains a hair short of it).
AT_BOUND = 1e-6

PLAN_COLUMNS = (
    "station_id",
    "name",
    "band_from",
    "band_to",
    "score",
    "target_score",
    "status",
    "binding",
    "shortfall",
    "plan_effort",
    "indicator",
    "indicator_label",
    "unit",
    "current",
    "target",
    "gain",
    "spread",
    "effort",
    "bound",
    "at_bound",
    "source",
    "plan_target",
    "department_target",
    "project_target",
)
#: Order of precedence when two sources set the same target.
SOURCES = ("plan", "project", "department")


def water_fill(
    slope: np.ndarray, spread: np.ndarray, room: np.ndarray, deficit: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Least ``Σ (g/s)²`` with ``Σ a g ≥ D`` and ``0 ≤ g ≤ u``, row by row.

    Arrays ``slope`` (a), ``room`` (u) are ``(n, I)``, ``spread`` (s) broadcasts against them,
    ``deficit`` (D) is ``(n,)``. The KKT conditions give ``g = min(μ a s², u)`` with one multiplier
    ``μ ≥ 0`` per row; ``f(μ) = Σ a min(μ a s², u)`` is piecewise linear and increasing, so ``μ``
    is read exactly off the segment between two sorted breakpoints ``u / (a s²)``.
    Returns ``(g, feasible)``; an infeasible row (``Σ a u < D``) gets ``g = u``.
    """
    a = np.clip(np.asarray(slope, dtype=float), 0.0, None)
    u = np.clip(np.asarray(room, dtype=float), 0.0, None)
    a = np.where(u > 0, a, 0.0)
    deficit = np.asarray(deficit, dtype=float)
    w = a * np.asarray(spread, dtype=float) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        breaks = np.where(w > 0, u / w, np.inf)
    order = np.argsort(breaks, axis=1, kind="stable")
    b = np.take_along_axis(breaks, order, axis=1)
    au = np.take_along_axis(a * u, order, axis=1)
    aw = np.take_along_axis(a * w, order, axis=1)
    saturated = np.cumsum(au, axis=1) - au  # Σ a u over breakpoints before k
    free = np.cumsum(aw[:, ::-1], axis=1)[:, ::-1]  # Σ a a s² over breakpoints k and after
    finite = np.isfinite(b)
    # f(b_k) = Σ_{j<k} a u + b_k Σ_{j≥k} a a s²; μ lies on the first segment whose end reaches D
    reach = np.where(finite, saturated + np.where(finite, b, 0.0) * free, np.inf)
    enough = finite & (reach >= deficit[:, None])
    k = np.argmax(enough, axis=1)
    rows = np.arange(len(deficit))
    feasible = (deficit <= 0) | enough.any(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mu = np.where(deficit <= 0, 0.0, (deficit - saturated[rows, k]) / free[rows, k])
    gain = np.minimum(np.nan_to_num(mu, nan=0.0, posinf=0.0)[:, None] * w, u)
    return np.where(feasible[:, None], gain, u), feasible


def greedy_fill(
    slope: np.ndarray, spread: np.ndarray, room: np.ndarray, deficit: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Least ``Σ g/s`` with ``Σ a g ≥ D`` and ``0 ≤ g ≤ u``, row by row.

    Same arrays as :func:`water_fill`. A linear programme over a box with one covering
    constraint is a fractional knapsack: its optimum fills the gains in decreasing order of the
    ratio ``a s`` (points bought per spread), each up to ``u``, the last one only as far as ``D``
    needs. Ties go to the indicator listed first. Returns ``(g, feasible)``; an infeasible row
    (``Σ a u < D``) gets ``g = u``.
    """
    a = np.clip(np.asarray(slope, dtype=float), 0.0, None)
    u = np.clip(np.asarray(room, dtype=float), 0.0, None)
    a = np.where(u > 0, a, 0.0)
    deficit = np.asarray(deficit, dtype=float)
    ratio = a * np.broadcast_to(np.asarray(spread, dtype=float), a.shape)
    order = np.argsort(-ratio, axis=1, kind="stable")
    a_sorted = np.take_along_axis(a, order, axis=1)
    u_sorted = np.take_along_axis(u, order, axis=1)
    au = a_sorted * u_sorted
    before = np.cumsum(au, axis=1) - au  # points bought by the better ratios
    with np.errstate(divide="ignore", invalid="ignore"):
        partial = (deficit[:, None] - before) / a_sorted
    filled = np.where(a_sorted > 0, np.clip(np.nan_to_num(partial), 0.0, u_sorted), 0.0)
    gain = np.empty_like(filled)
    np.put_along_axis(gain, order, filled, axis=1)
    feasible = (deficit <= 0) | (au.sum(axis=1) >= deficit)
    return np.where(feasible[:, None], gain, u), feasible


def effort_of(gain: np.ndarray, spread: np.ndarray, effort: PlanEffort) -> np.ndarray:
    """Each gain's effort in spreads: ``g / s`` (linear) or ``(g / s)²`` (quadratic)."""
    spreads = gain / spread
    return spreads if effort is PlanEffort.linear else spreads**2


def plan_bounds(result: ScoreResult) -> np.ndarray:
    """Per indicator, the most a plan may ask for (``actions.plan``), never past the best goalpost."""
    settings = result.params.actions.plan
    ind = IndicatorArrays.from_params(result.params)
    t = result.period_index
    pooled = result.filled[max(0, t - settings.history_months + 1) : t + 1]
    pooled = pooled.reshape(-1, pooled.shape[-1])
    with (
        np.errstate(invalid="ignore"),
        warnings.catch_warnings(action="ignore", category=RuntimeWarning),
    ):
        if settings.bound is PlanBound.goalpost:
            bound = ind.best.copy()
        elif settings.bound is PlanBound.best:
            bound = np.where(ind.sign > 0, np.nanmax(pooled, axis=0), np.nanmin(pooled, axis=0))
        else:
            q = settings.percentile
            high, low = np.nanpercentile(pooled, [q, 100.0 - q], axis=0)
            bound = np.where(ind.sign > 0, high, low)
    bound = np.where(np.isnan(bound), ind.best, bound)
    return np.where(ind.sign > 0, np.minimum(bound, ind.best), np.maximum(bound, ind.best))


class _Month:
    """The stations below red and how to re-score them with new values (the others held)."""

    def __init__(self, result: ScoreResult) -> None:
        self.result = result
        params = result.params
        t = result.period_index
        self.ind = IndicatorArrays.from_params(params)
        self.rule = BandRule.of(params.bands)
        self.absolute = params.normalisation is Normalisation.goalposts
        band = result.band[t]
        self.stations = np.flatnonzero((band > RED) & (band >= 0))
        threshold, _ = _band_thresholds(result)
        self.threshold = threshold[self.stations]
        self.target_band = band[self.stations] - 1
        self.month = result.filled[t]
        self.base = self.month[self.stations]
        self.sign = self.ind.sign
        self.spread = _spread(result, self.ind)
        self.bound = plan_bounds(result)
        self.effort = params.actions.plan.effort
        room = (self.bound[None, :] - self.base) * self.sign
        planned = ~np.isnan(self.base) & ~result.missing[t, self.stations]
        self.room = np.where(planned, np.clip(np.nan_to_num(room), 0.0, None), 0.0)

    def values(self, gain: np.ndarray) -> np.ndarray:
        return self.base + self.sign * gain

    def _trials(self, values: np.ndarray, rows: np.ndarray):
        """Whole trial months, each with one station's row replaced, in chunks: (k, trials)."""
        chunk = max(1, TRIAL_CELLS // self.month.size)
        for start in range(0, len(rows), chunk):
            k = np.arange(start, min(start + chunk, len(rows)))
            trials = np.broadcast_to(self.month, (len(k), *self.month.shape)).copy()
            trials[np.arange(len(k)), self.stations[rows[k]]] = values[k]
            yield k, trials

    def composite(self, values: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Each station's composite (unrounded) with its row set to ``values``."""
        rows = np.arange(len(self.stations)) if rows is None else rows
        result = self.result
        if self.absolute:
            scores = normalise(values, self.ind, result.params.normalisation.value)
            return composite_scores(scores, result.weights, result.params)[0]
        out = np.empty(len(rows))
        for k, trials in self._trials(values, rows):
            scores = normalise(trials, self.ind, result.params.normalisation.value)
            comp = composite_scores(scores, result.weights, result.params)[0]
            out[k] = comp[np.arange(len(k)), self.stations[rows[k]]]
        return out

    def reaches(self, values: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Whether each station, its row set to ``values`` and re-scored, reaches its next colour."""
        # cut-offs: the threshold is the cut-off (plus the stable-colours margin, which plain
        # banding of one month cannot see); quantiles: the boundary station's score
        if self.absolute:
            comp = np.round(self.composite(values, rows), 9)
            return comp >= self.threshold[rows]
        out = np.empty(len(rows), dtype=bool)
        for k, trials in self._trials(values, rows):
            _, composite, band = _rescore(self.result, trials)
            mine = (np.arange(len(k)), self.stations[rows[k]])
            if self.rule.is_absolute:
                out[k] = composite[mine] >= self.threshold[rows[k]]
            else:
                out[k] = band[mine] <= self.target_band[rows[k]]
        return out

    def slopes(self, gain: np.ndarray) -> np.ndarray:
        """The composite's slope in each gain: the larger of the tangent (finite difference) and
        the secant to the bound, so a value past the worst goalpost (flat until it crosses) still
        counts."""
        rows = np.arange(len(self.stations))
        base = self.composite(self.values(gain), rows)
        out = np.zeros_like(gain)
        for i in np.flatnonzero(self.room.any(axis=0)):  # one pass per indicator (tens at most)
            left = self.room[:, i] - gain[:, i]
            # forward where there is room left, backward at the bound
            step = np.where(left > 0, np.minimum(SLOPE_STEP * self.spread[i], left), 0.0)
            step = np.where(left > 0, step, -np.minimum(SLOPE_STEP * self.spread[i], gain[:, i]))
            moved = gain.copy()
            moved[:, i] += step
            with np.errstate(divide="ignore", invalid="ignore"):
                tangent = (self.composite(self.values(moved), rows) - base) / step
                moved[:, i] = self.room[:, i]
                secant = (self.composite(self.values(moved), rows) - base) / left
            secant = np.where(left > 0, np.nan_to_num(secant), 0.0)
            out[:, i] = np.where(step != 0, np.fmax(np.nan_to_num(tangent), secant), 0.0)
        return out


def _solve(month: _Month) -> tuple[np.ndarray, np.ndarray]:
    """Plans (gains, n × I) and whether each reaches the next colour within the bounds."""
    n = len(month.stations)
    rows = np.arange(n)
    feasible = month.reaches(month.values(month.room), rows)
    gain = np.zeros_like(month.room)
    step = np.zeros_like(month.room)  # each station's last move
    radius = np.full(n, np.inf)  # trust region of the linear steps, in spreads
    todo = feasible.copy()
    for _ in range(MAX_ROUNDS):
        if not todo.any():
            break
        a = month.slopes(gain)
        deficit = month.threshold - month.composite(month.values(gain)) + np.sum(a * gain, axis=1)
        if month.effort is PlanEffort.quadratic:
            new, _ = water_fill(a[todo], month.spread, month.room[todo], deficit[todo])
        else:
            reach = radius[todo, None] * month.spread
            low = np.maximum(gain[todo] - reach, 0.0)
            high = np.minimum(gain[todo] + reach, month.room[todo])
            extra, _ = greedy_fill(
                a[todo], month.spread, high - low, deficit[todo] - np.sum(a[todo] * low, axis=1)
            )
            new = low + extra
        moved = new - gain[todo]
        # a gain that turns back: the linear steps straddle the optimum; halve the region
        turned = np.any(moved * step[todo] < 0, axis=1)
        size = np.max(np.abs(moved) / month.spread, axis=1, initial=0.0)
        radius[todo] = np.where(turned, 0.5 * size, radius[todo])
        step[todo] = moved
        gain[todo] = new
        todo[todo] = size > ROUND_TOL
    # verification and tightening: the least τ on 0 → plan → bounds that re-scores into the colour
    ok_at_plan = month.reaches(month.values(gain), rows)
    lo = np.where(ok_at_plan, 0.0, 1.0)
    hi = np.where(ok_at_plan, 1.0, 2.0)

    def along(tau: np.ndarray) -> np.ndarray:
        tau = tau[:, None]
        return np.where(tau <= 1.0, tau * gain, gain + (tau - 1.0) * (month.room - gain))

    for _ in range(MAX_BISECTIONS):
        if np.all(hi - lo <= RAY_TOL):
            break
        mid = 0.5 * (lo + hi)
        ok = month.reaches(month.values(along(mid)), rows)
        hi, lo = np.where(ok, mid, hi), np.where(ok, lo, mid)
    plan = np.where(feasible[:, None], along(hi), month.room)
    return plan, feasible


def plans(result: ScoreResult) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every station below red: its plan to the next colour.

    Returns ``(stations, rows)``: one row per station below red (``station_id, name, band_from,
    band_to, score, target_score, status, binding, shortfall, plan_effort, indicators``) and one
    per planned indicator (``station_id, indicator, current, plan_target, gain, spread, effort,
    bound, at_bound``). ``status`` is ``plan`` or ``short`` (every indicator at its bound still
    leaves ``shortfall`` composite points to go; the rows then show the bounds). ``effort`` is
    ``gain / spread`` (linear effort) or its square (quadratic) and ``plan_effort`` its sum over
    the station's indicators.
    """
    month = _Month(result)
    t = result.period_index
    gain, feasible = _solve(month)
    effort = effort_of(gain, month.spread, month.effort)
    shortfall = np.where(
        feasible,
        0.0,
        np.maximum(month.threshold - month.composite(month.values(month.room)), 0.0),
    )
    ids = result.data.station_ids.to_numpy()[month.stations]
    binding = result.params.actions.plan.bound.value
    stations = pd.DataFrame(
        {
            "station_id": ids,
            "name": _names(result)[month.stations],
            "band_from": _band_names(result.band[t, month.stations]),
            "band_to": _band_names(np.where(feasible, month.target_band, -1)),
            "score": result.composite[t, month.stations],
            "target_score": np.round(month.threshold, 9),
            "status": np.where(feasible, "plan", "short"),
            "binding": np.where(feasible, "", binding),
            "shortfall": shortfall,
            "plan_effort": np.where(feasible, effort.sum(axis=1), np.nan),
            "indicators": np.sum(gain > NEGLIGIBLE * month.spread, axis=1),
        }
    )
    r, i = np.nonzero(gain > NEGLIGIBLE * month.spread)
    target = month.base[r, i] + month.sign[i] * gain[r, i]
    rows = pd.DataFrame(
        {
            "station_id": ids[r],
            "indicator": np.asarray(result.data.indicators, dtype=object)[i],
            "current": month.base[r, i],
            "plan_target": target,
            "gain": gain[r, i],
            "spread": month.spread[i],
            "effort": effort[r, i],
            "bound": month.bound[i],
            "at_bound": month.room[r, i] - gain[r, i] <= AT_BOUND * month.spread[i],
        }
    )
    return stations, rows


def reconcile_targets(
    result: ScoreResult,
    stations: pd.DataFrame,
    rows: pd.DataFrame,
    departments: pd.DataFrame,
    projects: pd.DataFrame | None,
) -> pd.DataFrame:
    """One target per indicator per station below red: the plan's, a department's (帮扶) or an
    improvement project's (书记项目), whichever asks for most.

    Meeting the most demanding target meets the others, and every target only adds to the plan
    (re-scoring is monotone in each value), so the station still reaches the colour its plan names.
    ``source`` says which set the target (on a tie: plan, then project, then department); the
    other sources' targets stay in their own columns, so a page can say why they differ.
    Projects count while not met (started or not). Columns :data:`PLAN_COLUMNS`.
    """
    t = result.period_index
    keys = list(result.data.indicators)
    sign_of = {
        k: 1.0 if s.direction == "higher" else -1.0 for k, s in result.params.indicators.items()
    }
    below = stations[["station_id"]]
    dept = departments.merge(below, on="station_id")[["station_id", "indicator", "target"]]
    dept = dept.rename(columns={"target": "department_target"})
    if projects is not None and len(projects):
        open_ = projects[projects["status"].isin(["not met", "not started"])]
        proj = open_.merge(below, on="station_id")[["station_id", "indicator", "target"]]
        # a station with two open projects on one indicator: the more demanding one
        proj = proj.assign(_key=proj["target"] * proj["indicator"].map(sign_of))
        proj = proj.sort_values("_key").groupby(["station_id", "indicator"], as_index=False).last()
        proj = proj.drop(columns="_key").rename(columns={"target": "project_target"})
    else:
        proj = pd.DataFrame(columns=["station_id", "indicator", "project_target"])
    frame = rows.merge(dept, on=["station_id", "indicator"], how="outer").merge(
        proj, on=["station_id", "indicator"], how="outer"
    )
    s = result.data.station_ids.get_indexer(pd.Index(frame["station_id"]))
    i = pd.Index(keys).get_indexer(pd.Index(frame["indicator"]))
    sign = np.array([sign_of[k] for k in keys])[i]
    current = result.filled[t, s, i]
    candidates = np.stack(
        [frame[f"{name}_target"].to_numpy(dtype=float) * sign for name in SOURCES], axis=1
    )
    asked = ~np.isnan(candidates) & (candidates > (current * sign)[:, None])
    best = np.nanmax(np.where(asked, candidates, -np.inf), axis=1)
    pick = np.argmax(np.where(asked, candidates, -np.inf) >= best[:, None], axis=1)
    frame = frame.assign(
        current=current,
        target=best * sign,
        source=np.array(SOURCES, dtype=object)[pick],
    )
    frame = frame[asked.any(axis=1)].copy()
    i = pd.Index(keys).get_indexer(pd.Index(frame["indicator"]))
    ind = IndicatorArrays.from_params(result.params)
    spread = _spread(result, ind)[i]
    gain = (frame["target"].to_numpy() - frame["current"].to_numpy()) * sign[asked.any(axis=1)]
    bound = plan_bounds(result)[i]
    frame = frame.assign(
        indicator_label=indicator_labels(result)[i],
        unit=_units(result)[i],
        gain=gain,
        spread=spread,
        effort=effort_of(gain, spread, result.params.actions.plan.effort),
        bound=bound,
        at_bound=(bound - frame["target"].to_numpy()) * sign[asked.any(axis=1)]
        <= AT_BOUND * spread,
    )
    out = stations.drop(columns=["indicators"]).merge(frame, on="station_id", how="left")
    order = {k: n for n, k in enumerate(keys)}
    out = out.assign(_i=out["indicator"].map(order)).sort_values(
        ["station_id", "_i"], kind="stable"
    )
    out["at_bound"] = out["at_bound"].astype("boolean")
    return out[list(PLAN_COLUMNS)].reset_index(drop=True)
