"""Aggregation: normalised scores to one composite, over the last axis, missing cells reweighted.

A missing score (NaN) drops out and the remaining weights are rescaled to sum 1, so a station
is judged on what it reported. Weighted geometric means are non-compensatory: a zero on any
indicator with positive weight makes the composite zero, however good the rest is.
"""

from __future__ import annotations

import numpy as np


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


METHODS = {"arithmetic": arithmetic, "geometric": geometric}


def aggregate(scores: np.ndarray, weights: np.ndarray, method: str) -> np.ndarray:
    """Combine ``scores`` (..., n) with ``weights`` (n,) by the named method; all-missing gives NaN."""
    return METHODS[method](scores, np.asarray(weights, dtype=float))
