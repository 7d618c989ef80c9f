"""The vectorised re-scoring engine: many composites, ranks and bands of one month at once.

Given the reported month's normalised scores and K effective weight vectors, it gives the K
composites (through the groups when there are any), their ranks and band codes, all as arrays
over samples; samples are evaluated in chunks that bound memory. The aggregation methods come
from the aggregation registry (:data:`fivecolor.scoring.aggregate.METHODS`) and the bands from
:class:`fivecolor.scoring.bands.BandRule`, so the engine gives the numbers scoring would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np

from fivecolor.params import Params
from fivecolor.scoring import aggregate as agg
from fivecolor.scoring.bands import BandRule, Held, held_history, hold_step, shared_rank
from fivecolor.scoring.pipeline import ScoreResult


@dataclass(frozen=True)
class _Structure:
    """How indicators combine: one level, or groups with their own aggregation when fixed."""

    membership: np.ndarray | None  # (I,) group index, None without groups
    group_aggregation: tuple[str | None, ...]  # per group: its own method, None = the top one's

    @classmethod
    def of(cls, params: Params) -> _Structure:
        if params.groups is None:
            return cls(None, ())
        names = list(params.groups)
        # with groups, validation gave every indicator one of them
        membership = np.array([names.index(cast(str, s.group)) for s in params.indicators.values()])
        fixed = tuple(
            g.aggregation.value if g.aggregation else None for g in params.groups.values()
        )
        return cls(membership, fixed)


def _composites(x: np.ndarray, w: np.ndarray, method: str, structure: _Structure) -> np.ndarray:
    """Composite scores (K, S) of month ``x`` (S, I) under effective weights ``w`` (K, I).

    Each level aggregates through the aggregation registry's matrix-product form
    (:func:`fivecolor.scoring.aggregate.aggregate_over_weights`), so an unknown method is refused
    rather than taken for another. With groups, a group's weight is the sum of its members'
    effective weights and the members' weights within it are their shares of that sum, which
    reproduces :func:`fivecolor.scoring.pipeline.score` when ``w`` is the published
    ``Weights.effective``.
    """
    if structure.membership is None:
        out = agg.aggregate_over_weights(x, w, method)
    else:
        m = structure.membership
        group_scores = []
        group_weights = []
        for g, fixed in enumerate(structure.group_aggregation):  # a handful of groups
            wg = w[:, m == g]
            total = wg.sum(axis=1, keepdims=True)
            with np.errstate(invalid="ignore", divide="ignore"):
                within = np.nan_to_num(wg / total)
            group_scores.append(agg.aggregate_over_weights(x[:, m == g], within, fixed or method))
            group_weights.append(total[:, 0])
        scores = np.stack(group_scores, axis=-1)  # (K, S, G)
        out = agg.aggregate(scores, np.stack(group_weights, axis=-1)[:, None, :], method)
    return np.round(out, 9)  # as in scoring: float noise must not decide a band at a cut-off


def _bands(
    composite: np.ndarray,
    params: Params,
    shift: np.ndarray | None = None,
    held: Held | None = None,
) -> np.ndarray:
    """Band codes of composites (..., S) with every boundary moved by ``shift`` (...,) points
    (percentage points of the quantiles for quantile bands), by the parameters' band rule.

    With ``bands.hysteresis``, ``held`` is last month's state as published
    (:func:`held_before`) and the colours are stable ones, as scoring gives them.
    """
    rule = BandRule.of(params.bands)
    if params.bands.hysteresis is None or held is None:
        return rule.assign(composite, shift=shift)
    return hold_step(held, composite, rule, params.bands.hysteresis, shift).band


def held_before(result: ScoreResult) -> Held | None:
    """The stable-colour state of the month before the reported one, as published; None when
    ``bands.hysteresis`` is off or there is no earlier month."""
    t = result.period_index
    if result.params.bands.hysteresis is None or t == 0:
        return None
    return held_history(result.composite[:t], result.params.bands)[-1]


def _published_rerun(result: ScoreResult, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ranks and bands (K, S) of the published month under K effective weight vectors."""
    t = result.period_index
    with np.errstate(invalid="ignore", divide="ignore"):
        weights = weights / weights.sum(axis=1, keepdims=True)
    composite = _composites(
        result.normalised[t], weights, result.params.aggregation.value, _Structure.of(result.params)
    )
    return shared_rank(composite), _bands(composite, result.params, held=held_before(result))
