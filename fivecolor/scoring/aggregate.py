"""Aggregation: normalised scores to one composite, over the last axis, missing cells reweighted.

A missing score (NaN) drops out and the remaining weights are rescaled to sum 1, so a station
is judged on what it reported. Weighted geometric means are non-compensatory: a zero on any
indicator with positive weight makes the composite zero, however good the rest is.

Each method comes in two forms, registered together in :data:`METHODS`: the general one over
any leading axes, and the same arithmetic for one month under many weight vectors at once,
written as matrix products (the sensitivity analysis re-scores thousands of weight draws).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from fivecolor.scoring.registry import lookup


def _present_weights(scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    w = np.where(np.isnan(scores), 0.0, np.broadcast_to(weights, scores.shape))
    total = w.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, w / total, np.nan)


def arithmetic(scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean ``Σ w x / Σ w`` over the present cells."""
    w = _present_weights(scores, weights)
    return np.sum(w * np.nan_to_num(scores), axis=-1)


def geometric(scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted geometric mean ``Π x^w`` (weights rescaled over the present cells); any zero gives 0."""
    w = _present_weights(scores, weights)
    x = np.nan_to_num(scores, nan=1.0)
    with np.errstate(divide="ignore"):
        logs = np.where(w > 0, w * np.log(np.where(w > 0, x, 1.0)), 0.0)
    out = np.exp(np.sum(logs, axis=-1))
    return np.where(np.isnan(w).all(axis=-1), np.nan, out)


def _present_weight_totals(x: np.ndarray, wt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mask of present cells of ``x`` (S, I) and the weight present per station and vector (S, K)."""
    present = ~np.isnan(x)
    return present, present.astype(float) @ wt


def arithmetic_over_weights(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """:func:`arithmetic` of one month ``x`` (S, I) under K weight vectors ``w`` (K, I): (K, S)."""
    wt = w.T
    present, den = _present_weight_totals(x, wt)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (np.where(present, x, 0.0) @ wt) / den
    return np.where(den > 0, out, np.nan).T


def geometric_over_weights(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """:func:`geometric` of one month ``x`` (S, I) under K weight vectors ``w`` (K, I): (K, S).

    A zero score counts when its weight in that vector is positive, as in :func:`geometric`.
    """
    wt = w.T
    present, den = _present_weight_totals(x, wt)
    with np.errstate(invalid="ignore", divide="ignore"):
        positive = present & (x > 0)
        logs = np.where(positive, np.log(np.where(positive, x, 1.0)), 0.0) @ wt / den
        zero_hit = (present & (x == 0)).astype(float) @ (wt > 0) > 0
        out = np.where(zero_hit, 0.0, np.exp(logs))
    return np.where(den > 0, out, np.nan).T


@dataclass(frozen=True)
class Aggregator:
    """One aggregation method in its two forms.

    Attributes
    ----------
    combine
        ``(scores (..., n), weights broadcastable to it) -> (...)``.
    over_weights
        ``(x (S, I), w (K, I)) -> (K, S)``: one month under K weight vectors at once, the same
        numbers as ``combine`` without building a (K, S, I) array.
    """

    combine: Callable[[np.ndarray, np.ndarray], np.ndarray]
    over_weights: Callable[[np.ndarray, np.ndarray], np.ndarray]


#: Aggregation methods by the name used in the parameters (``aggregation``; the enum
#: :class:`fivecolor.params.Aggregation` lists the same names).
METHODS: dict[str, Aggregator] = {
    "arithmetic": Aggregator(arithmetic, arithmetic_over_weights),
    "geometric": Aggregator(geometric, geometric_over_weights),
}


def aggregate(scores: np.ndarray, weights: np.ndarray, method: str) -> np.ndarray:
    """Combine ``scores`` (..., n) with ``weights`` (n,) by the named method; all-missing gives NaN.

    Raises
    ------
    fivecolor.scoring.registry.UnknownMethodError
        When no aggregation method has that name.
    """
    return lookup(METHODS, "aggregation", method).combine(scores, np.asarray(weights, dtype=float))


def aggregate_over_weights(x: np.ndarray, w: np.ndarray, method: str) -> np.ndarray:
    """Aggregate one month ``x`` (S, I) under K weight vectors ``w`` (K, I) at once: (K, S).

    Raises
    ------
    fivecolor.scoring.registry.UnknownMethodError
        When no aggregation method has that name.
    """
    return lookup(METHODS, "aggregation", method).over_weights(x, w)
