"""The stage forecast toward "all red": who reaches red by each deadline at the recent trend.

Each station's trend is the Theil–Sen slope of its composite score over the last
``actions.trend_months`` months (the median of the pairwise slopes: robust to one odd month),
with the 95 % interval of :func:`scipy.stats.theilslopes`, computed for all stations at once.
A station is forecast red at a stage's deadline when its score now plus ``slope × months left``
reaches red; the interval's slopes give the low and high counts. The verdict compares the count
with the reds the stage needs; a second column re-scores the month with every department-help
target met (:func:`fivecolor.analysis.actions.department_help`), to say whether department help
alone would deliver the stage.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.stats import norm

from fivecolor.analysis.actions import _rescore, stage_progress
from fivecolor.scoring.bands import RED, BandRule
from fivecolor.scoring.pipeline import ScoreResult

__all__ = ["FORECAST_COLUMNS", "department_help_month", "stage_forecast", "theil_sen"]

#: Coverage of the trend interval.
CONFIDENCE = 0.95
#: Fewer scored months than this and the trend is taken as flat.
MIN_MONTHS = 3

FORECAST_COLUMNS = (
    "stage",
    "label",
    "period",
    "months_left",
    "target_count",
    "red_now",
    "forecast_red",
    "forecast_red_low",
    "forecast_red_high",
    "verdict",
    "new_red",
    "red_with_department_help",
    "department_help_reaches",
    "trend_months",
)


def theil_sen(y: np.ndarray, confidence: float = CONFIDENCE) -> tuple[np.ndarray, ...]:
    """Theil–Sen slopes of each row of ``y`` (n, m) against 0..m-1, missing cells left out.

    The same estimate and interval as :func:`scipy.stats.theilslopes` row by row (the interval
    from the normal approximation to Kendall's statistic, corrected for tied values), for all
    rows at once. Returns ``(slope, low, high)``; NaN where fewer than two values.
    """
    y = np.asarray(y, dtype=float)
    n, m = y.shape
    a, b = np.triu_indices(m, k=1)
    if len(a) == 0:  # one month (the data's first): no pair, no slope
        return tuple(np.full(n, np.nan) for _ in range(3))
    slopes = (y[:, b] - y[:, a]) / (b - a)  # (n, pairs), NaN where a value is missing
    slopes.sort(axis=1)  # NaN last
    count = np.sum(~np.isnan(slopes), axis=1)
    with (
        np.errstate(invalid="ignore"),
        warnings.catch_warnings(action="ignore", category=RuntimeWarning),
    ):
        median = np.nanmedian(slopes, axis=1)
    present = ~np.isnan(y)
    k = present.sum(axis=1)
    # Var of Kendall's S with ties in y: Σ over tie groups of g (g - 1)(2g + 5), summed per element
    same = (y[:, :, None] == y[:, None, :]) & present[:, :, None] & present[:, None, :]
    group = same.sum(axis=2).astype(float)
    ties = np.sum(np.where(present, (group - 1) * (2 * group + 5), 0.0), axis=1)
    sigma = np.sqrt(np.clip((k * (k - 1) * (2 * k + 5) - ties) / 18.0, 0.0, None))
    z = norm.ppf((1 - confidence) / 2)
    upper = np.minimum(np.round((count - z * sigma) / 2).astype(int), count - 1)
    lower = np.maximum(np.round((count + z * sigma) / 2).astype(int) - 1, 0)
    rows = np.arange(n)
    ok = count > 0
    low = np.where(ok, slopes[rows, np.clip(lower, 0, None)], np.nan)
    high = np.where(ok, slopes[rows, np.clip(upper, 0, None)], np.nan)
    return median, low, high


def department_help_month(result: ScoreResult, departments: pd.DataFrame) -> np.ndarray:
    """The reported month's values with every department-help target met (others as they are)."""
    month = result.filled[result.period_index].copy()
    s = result.data.station_ids.get_indexer(pd.Index(departments["station_id"]))
    i = pd.Index(result.data.indicators).get_indexer(pd.Index(departments["indicator"]))
    sign = np.array(
        [1.0 if spec.direction == "higher" else -1.0 for spec in result.params.indicators.values()]
    )[i]
    target = departments["target"].to_numpy(dtype=float)
    better = (target - month[s, i]) * sign > 0
    month[s[better], i[better]] = target[better]
    return month


def _red_threshold(result: ScoreResult) -> float:
    """The composite that counts as red: the cut-off, or under quantile bands the lowest red score now."""
    rule = BandRule.of(result.params.bands)
    if rule.is_absolute:
        return float(rule.boundaries[RED])
    t = result.period_index
    red = result.composite[t][result.band[t] == RED]
    return float(red.min()) if len(red) else np.inf


def stage_forecast(result: ScoreResult, departments: pd.DataFrame) -> pd.DataFrame:
    """One row per stage (``actions.stages``): reds needed, now, forecast (with the interval's low
    and high counts), the verdict (``met``, ``on track`` or ``off track``), the stations the trend
    brings to red (``new_red``, ids joined by ``;``) and the reds with every department-help target met.
    """
    params = result.params
    t = result.period_index
    window = params.actions.trend_months
    history = result.composite[max(0, t - window + 1) : t + 1].T  # (S, m)
    slope, low, high = theil_sen(history)
    enough = np.sum(~np.isnan(history), axis=1) >= MIN_MONTHS
    slope, low, high = (np.where(enough, x, 0.0) for x in (slope, low, high))
    now = result.composite[t]
    scored = ~np.isnan(now)
    red_line = _red_threshold(result)
    progress = stage_progress(result)
    months = progress["months_left"].to_numpy(dtype=float).clip(0, None)[:, None]  # (stages, 1)

    def reds(rate: np.ndarray) -> np.ndarray:
        return (np.round(now + rate * months, 9) >= red_line) & scored  # (stages, S)

    central = reds(slope)
    red_now = result.band[t] == RED
    helped = _rescore(result, department_help_month(result, departments))[2]
    red_helped = int(np.sum(helped == RED))
    need = progress["target_count"].to_numpy()
    forecast = central.sum(axis=1)
    verdict = np.where(
        progress["met"].to_numpy(dtype=bool),
        "met",
        np.where(forecast >= need, "on track", "off track"),
    )
    ids = result.data.station_ids.to_numpy()
    return pd.DataFrame(
        {
            "stage": progress["stage"],
            "label": progress["label"],
            "period": progress["period"],
            "months_left": progress["months_left"],
            "target_count": need,
            "red_now": int(red_now.sum()),
            "forecast_red": forecast,
            "forecast_red_low": reds(low).sum(axis=1),
            "forecast_red_high": reds(high).sum(axis=1),
            "verdict": verdict,
            "new_red": [";".join(ids[row & ~red_now]) for row in central],
            "red_with_department_help": red_helped,
            "department_help_reaches": red_helped >= need,
            "trend_months": window,
        },
        columns=list(FORECAST_COLUMNS),
    )
