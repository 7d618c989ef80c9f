"""Outlier treatment: winsorising each indicator within each month, before normalisation.

Off unless ``winsorise.enabled``; the limits are recorded with the parameters in the manifest.
"""

from __future__ import annotations

import numpy as np

from fivecolor.params import Params


def winsorise(values: np.ndarray, limits: tuple[float, float]) -> np.ndarray:
    """Clip each (period, indicator) column of a ``(..., stations, indicators)`` array.

    Of a column's n present values, the ``floor(limits[0] n)`` lowest are raised to the next
    lowest and the ``floor(limits[1] n)`` highest lowered to the next highest, as
    :func:`scipy.stats.mstats.winsorize` does; missing values stay missing.
    """
    low, high = limits
    present = ~np.isnan(values)
    n = present.sum(axis=-2, keepdims=True)
    ordered = np.sort(values, axis=-2)  # NaN sort last
    k_low = np.floor(low * n).astype(np.int64)
    k_high = np.floor(high * n).astype(np.int64)
    floor = np.take_along_axis(ordered, np.minimum(k_low, np.maximum(n - 1, 0)), axis=-2)
    ceiling = np.take_along_axis(ordered, np.maximum(n - 1 - k_high, 0), axis=-2)
    with np.errstate(invalid="ignore"):
        return np.where(present, np.clip(values, floor, ceiling), np.nan)


def treat(values: np.ndarray, params: Params) -> np.ndarray:
    """The parameters' outlier treatment of a ``(..., stations, indicators)`` array."""
    if not params.winsorise.enabled:
        return values
    return winsorise(values, params.winsorise.limits)
