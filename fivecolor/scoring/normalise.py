"""Normalisation: raw indicator values to scores on 0..100, higher always better.

Each method is a plain function over a ``(..., stations, indicators)`` array; relative methods
(minmax, zscore, rank) compare the stations of one month, i.e. along axis ``-2``. Missing cells
(NaN) stay missing and take no part in the statistics.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from fivecolor.params import Params
from fivecolor.scoring.registry import lookup

#: A relative method scores a column with no spread in a month at this midpoint: the data cannot
#: tell its stations apart.
NO_SPREAD_SCORE = 50.0
#: zscore maps ±3 standard deviations onto 0..100 (50 = the month's mean), capped beyond.
ZSCORE_SPAN = 3.0


@dataclass(frozen=True)
class IndicatorArrays:
    """The catalogue as arrays in indicator order (transformed goalposts, direction signs)."""

    worst: np.ndarray
    best: np.ndarray
    sign: np.ndarray  # +1 higher is better, -1 lower is better
    log: np.ndarray  # bool: transform log

    @classmethod
    def from_params(cls, params: Params) -> IndicatorArrays:
        specs = list(params.indicators.values())
        return cls(
            worst=np.array([s.goalposts[0] for s in specs], dtype=float),
            best=np.array([s.goalposts[1] for s in specs], dtype=float),
            sign=np.array([1.0 if s.direction == "higher" else -1.0 for s in specs]),
            log=np.array([s.transform == "log" for s in specs]),
        )

    def transform(self, values: np.ndarray) -> np.ndarray:
        """Apply each indicator's transform (log where asked) to values of shape (..., I)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.log, np.log(np.where(self.log, values, 1.0)), values)


def goalposts(values: np.ndarray, ind: IndicatorArrays) -> np.ndarray:
    """``100 (t(x) - t(worst)) / (t(best) - t(worst))``, capped to 0..100; ``t`` is the transform."""
    worst, best = ind.transform(ind.worst), ind.transform(ind.best)
    scaled = 100.0 * (ind.transform(values) - worst) / (best - worst)
    return np.clip(scaled, 0.0, 100.0)


def _all_nan_ok() -> warnings.catch_warnings:
    """nanmin/nanmean of an all-missing column is NaN by design here, not a warning."""
    return warnings.catch_warnings(action="ignore", category=RuntimeWarning)


def _oriented(values: np.ndarray, ind: IndicatorArrays) -> np.ndarray:
    return ind.transform(values) * ind.sign


def minmax(values: np.ndarray, ind: IndicatorArrays) -> np.ndarray:
    """``100 (y - min) / (max - min)`` within each month, ``y`` oriented so higher is better."""
    y = _oriented(values, ind)
    with np.errstate(invalid="ignore", divide="ignore"), _all_nan_ok():
        lo, hi = np.nanmin(y, axis=-2, keepdims=True), np.nanmax(y, axis=-2, keepdims=True)
        out = 100.0 * (y - lo) / (hi - lo)
    return np.where(hi > lo, out, np.where(np.isnan(y), np.nan, NO_SPREAD_SCORE))


def zscore(values: np.ndarray, ind: IndicatorArrays) -> np.ndarray:
    """``50 + (50 / 3) z`` capped to 0..100, ``z`` the month's standard score (population sd)."""
    y = _oriented(values, ind)
    with np.errstate(invalid="ignore", divide="ignore"), _all_nan_ok():
        mean = np.nanmean(y, axis=-2, keepdims=True)
        sd = np.nanstd(y, axis=-2, keepdims=True)
        spread = np.nanmax(y, axis=-2, keepdims=True) - np.nanmin(y, axis=-2, keepdims=True)
        z = (y - mean) / sd
    out = np.clip(50.0 + 50.0 / ZSCORE_SPAN * z, 0.0, 100.0)
    # identical values can leave a rounding-sized sd; their exact spread is what says "no spread"
    return np.where(spread > 0, out, np.where(np.isnan(y), np.nan, NO_SPREAD_SCORE))


def rank(values: np.ndarray, ind: IndicatorArrays) -> np.ndarray:
    """Percentile rank ``100 (r - 1) / (n - 1)`` within each month; ties share their average rank."""
    import scipy.stats  # here, not above: scipy.stats alone costs the command line ~0.5 s

    y = _oriented(values, ind)
    r = scipy.stats.rankdata(y, axis=-2, nan_policy="omit")
    n = np.sum(~np.isnan(y), axis=-2, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = 100.0 * (r - 1.0) / (n - 1.0)
    return np.where(n > 1, out, np.where(np.isnan(y), np.nan, NO_SPREAD_SCORE))


#: Normalisers by the name used in the parameters (``normalisation``; the enum
#: :class:`fivecolor.params.Normalisation` lists the same names).
METHODS = {"goalposts": goalposts, "minmax": minmax, "zscore": zscore, "rank": rank}


def normalise(values: np.ndarray, ind: IndicatorArrays, method: str) -> np.ndarray:
    """Normalise ``values`` (..., stations, indicators) with the named method.

    Raises
    ------
    fivecolor.scoring.registry.UnknownMethodError
        When no normaliser has that name.
    """
    return lookup(METHODS, "normalisation", method)(values, ind)
