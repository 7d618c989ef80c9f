"""Indicator influence: what each indicator really weighs, and what leaving it out changes.

Paruolo, Saisana & Saltelli (2013, JRSS A 176(3)) compare an indicator's importance with its
nominal weight; leaving one indicator out at a time shows how much the ranking rests on it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fivecolor.analysis.sensitivity.engine import _published_rerun
from fivecolor.scoring.pipeline import ScoreResult


def _pearson_columns(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Pearson r of each column of ``x`` (S, I) with ``y`` (S,), over rows where both are present."""
    both = ~np.isnan(x) & ~np.isnan(y)[:, None]
    n = both.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        xm = np.where(both, x, 0.0).sum(axis=0) / n
        ym = np.where(both, y[:, None], 0.0).sum(axis=0) / n
        dx = np.where(both, x - xm, 0.0)
        dy = np.where(both, y[:, None] - ym, 0.0)
        r = (dx * dy).sum(axis=0) / np.sqrt((dx**2).sum(axis=0) * (dy**2).sum(axis=0))
    return r


def indicator_influence(result: ScoreResult) -> pd.DataFrame:
    """Each indicator's effective influence on the composite against its nominal weight.

    The effective weight is the squared Pearson correlation between the indicator's normalised
    score and the composite over the month's stations, normalised to sum 1: the linear
    counterpart of the correlation ratio (first-order sensitivity index) that Paruolo, Saisana
    & Saltelli (2013, JRSS A 176(3)) use to compare an indicator's importance with its weight.
    A ratio well below 1 says the indicator matters less than its weight claims. OECD/JRC
    Handbook (2008); Saisana, Saltelli & Tarantola (2005, JRSS A 168(2)).

    Returns
    -------
    pandas.DataFrame
        Index ``indicator``; ``nominal_weight`` (effective weight in the composite),
        ``pearson_r``, ``r2``, ``effective_weight`` (r² normalised to sum 1) and ``ratio``
        (effective / nominal).
    """
    t = result.period_index
    r = _pearson_columns(result.normalised[t], result.composite[t])
    r2 = np.nan_to_num(r**2)
    effective = r2 / r2.sum() if r2.sum() > 0 else np.full_like(r2, np.nan)
    nominal = result.weights.effective
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(nominal > 0, effective / nominal, np.nan)
    return pd.DataFrame(
        {
            "nominal_weight": nominal,
            "pearson_r": r,
            "r2": r**2,
            "effective_weight": effective,
            "ratio": ratio,
        },
        index=pd.Index(result.params.indicator_keys, name="indicator"),
    )


def leave_one_out(result: ScoreResult) -> pd.DataFrame:
    """Rank and colour shifts when each indicator in turn is left out (its weight set to 0 and
    the others rescaled), every other choice as published (OECD/JRC Handbook 2008; Saisana,
    Saltelli & Tarantola 2005, JRSS A 168(2)).

    Returns
    -------
    pandas.DataFrame
        Index ``indicator``; ``mean_abs_rank_shift``, ``max_abs_rank_shift`` and
        ``band_changes`` (stations whose colour differs from the published one).
    """
    t = result.period_index
    n = len(result.params.indicator_keys)
    weights = np.where(np.eye(n, dtype=bool), 0.0, result.weights.effective)
    ranks, bands = _published_rerun(result, weights)
    scored = ~np.isnan(result.rank[t])
    shift = np.abs(ranks[:, scored] - result.rank[t][scored])
    return pd.DataFrame(
        {
            "mean_abs_rank_shift": shift.mean(axis=1),
            "max_abs_rank_shift": shift.max(axis=1, initial=0),
            "band_changes": (bands != result.band[t]).sum(axis=1),
        },
        index=pd.Index(result.params.indicator_keys, name="indicator"),
    )
