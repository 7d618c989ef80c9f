"""Bands: composite scores to the five colours (code 0 = red = best ... 4 = yellow), and ranks."""

from __future__ import annotations

import numpy as np

from fivecolor.params import Bands

#: Band codes, best first. Position in this tuple is the band's code (0 = red = best).
BANDS: tuple[str, ...] = ("red", "orange", "blue", "green", "yellow")
NO_BAND = -1


def ordinal_rank(scores: np.ndarray) -> np.ndarray:
    """Rank 1 = best along the last axis; ties go to the earlier position (stations are sorted by id).

    Missing scores get no rank (NaN).
    """
    key = np.where(np.isnan(scores), np.inf, -scores)
    order = np.argsort(key, axis=-1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, scores.shape[-1] + 1), axis=-1)
    return np.where(np.isnan(scores), np.nan, ranks.astype(float))


def by_cutoffs(scores: np.ndarray, cutoffs) -> np.ndarray:
    """Red at or above the first cut-off, orange at or above the second, ... yellow below the last."""
    codes = np.sum(scores[..., None] < np.asarray(cutoffs, dtype=float), axis=-1)
    return np.where(np.isnan(scores), NO_BAND, codes)


def quantile_counts(n: np.ndarray | int, quantiles) -> np.ndarray:
    """How many stations lie above each quantile boundary: ``round(n (1 - q))``, halves rounded up."""
    n = np.asarray(n, dtype=float)
    return np.floor(n[..., None] * (1.0 - np.asarray(quantiles, dtype=float)) + 0.5).astype(int)


def shared_rank(scores: np.ndarray) -> np.ndarray:
    """Rank 1 = best along the last axis; tied scores share the best rank among them."""
    import scipy.stats

    ranks = scipy.stats.rankdata(-scores, method="min", axis=-1, nan_policy="omit")
    return np.where(np.isnan(scores), np.nan, ranks)


def by_quantiles(scores: np.ndarray, quantiles, ties: str = "position") -> np.ndarray:
    """Relative bands along the last axis: the top ``1 - q_red`` share red, and so on.

    ``ties="position"`` (the composite) breaks ties by position, so the counts are exact;
    ``ties="shared"`` (an indicator's scores, where many stations may share a value) puts tied
    scores in the best band any of them reaches, so equal values always share a band.
    """
    ranks = ordinal_rank(scores) if ties == "position" else shared_rank(scores)
    n = np.sum(~np.isnan(scores), axis=-1)
    bounds = quantile_counts(n, quantiles)[..., None, :]  # (..., 1, 4)
    codes = np.sum(np.nan_to_num(ranks, nan=0)[..., None] > bounds, axis=-1)
    return np.where(np.isnan(scores), NO_BAND, codes)


def assign(scores: np.ndarray, bands: Bands, ties: str = "position") -> np.ndarray:
    """Band codes for ``scores`` (..., stations) by the parameters' method (``ties``: see
    :func:`by_quantiles`; cut-offs treat equal scores alike anyway)."""
    if bands.method == "cutoffs":
        return by_cutoffs(scores, bands.cutoffs)
    return by_quantiles(scores, bands.quantiles, ties)
