"""The uncertain inputs: what ``sensitivity`` lets vary, and uniform draws decoded into them.

Every uncertain input is a function of one uniform draw on [0, 1): a discrete choice
(normalisation, aggregation, left-out indicator, weighting scheme) takes the slot the draw falls
in, a cut-off shift is uniform on ``±cutoff_shift``, and the weights are Dirichlet, built from
independent Gamma variates by their inverse distribution function. The same mapping serves the
Monte Carlo (uniforms from a seeded generator) and the Sobol design (scipy's scrambled Sobol'
points), so both analyse the same model. The model is evaluated on the draws chunk by chunk
(:data:`CHUNK_CELLS` cells at a time), each chunk a pure function of its draws.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from fivecolor.analysis.sensitivity.engine import (
    _bands,
    _composites,
    _Structure,
    held_before,
)
from fivecolor.analysis.sensitivity.schemes import _scheme_effective
from fivecolor.params import Params
from fivecolor.scoring import aggregate as agg
from fivecolor.scoring import normalise as normmod
from fivecolor.scoring import weights as weighting
from fivecolor.scoring.bands import Held, shared_rank
from fivecolor.scoring.normalise import IndicatorArrays, normalise
from fivecolor.scoring.pipeline import ScoreResult, check_methods

#: A uniform draw is kept this far inside (0, 1) so the Gamma inverse stays finite.
_U_EPS = 1e-12


@dataclass(frozen=True)
class _Model:
    """The reported month and every uncertain input's choices, ready for many samples at once."""

    params: Params
    structure: _Structure
    normalisations: tuple[str, ...]
    normalised: np.ndarray  # (M, S, I) the month under each listed normalisation
    aggregations: tuple[str, ...]
    centre: np.ndarray  # (M, I) the chosen scheme's effective weights under each normalisation
    schemes: tuple[str, ...]  # drawn among when not empty
    scheme_weights: np.ndarray  # (M, C, I) effective weights of each of those schemes
    concentration: float  # Dirichlet concentration c: weights ~ Dirichlet(c * centre)
    shift: float
    leave_one_out: bool
    published_rank: np.ndarray  # (S,)
    published_band: np.ndarray  # (S,)
    held: Held | None  # last month's stable-colour state, with bands.hysteresis

    @property
    def n_indicators(self) -> int:
        return self.normalised.shape[-1]

    @property
    def dims(self) -> tuple[str, ...]:
        """Names of the uniform inputs, one per varying input (constant ones are left out)."""
        if self.schemes:
            names = ["weights_scheme"] if len(self.schemes) > 1 else []
        else:
            names = [f"weight_{k}" for k in self.params.indicator_keys]
        if len(self.normalisations) > 1:
            names.append("normalisation")
        if len(self.aggregations) > 1:
            names.append("aggregation")
        if self.shift > 0:
            names.append("cutoff_shift")
        if self.leave_one_out:
            names.append("left_out")
        return tuple(names)


def _model(result: ScoreResult) -> _Model:
    """The model of ``result``'s reported month under its parameters' ``sensitivity``.

    A method listed there without an implementation is refused (InputError on its key).
    """
    params = result.params
    sens = params.sensitivity
    check_methods(
        params,
        {
            "sensitivity.normalisation": (normmod.METHODS, "normalisation", sens.normalisation),
            "sensitivity.aggregation": (agg.METHODS, "aggregation", sens.aggregation),
            "sensitivity.weights.schemes": (weighting.SCHEMES, "weighting", sens.weights.schemes),
        },
    )
    t = result.period_index
    ind = IndicatorArrays.from_params(params)
    normalisations = tuple(dict.fromkeys(m.value for m in sens.normalisation))
    normalised = np.stack([normalise(result.filled[t], ind, m) for m in normalisations])
    centre = np.stack([_scheme_effective(params, params.weights_scheme, x) for x in normalised])
    schemes = tuple(dict.fromkeys(s.value for s in sens.weights.schemes))
    if schemes:
        scheme_w = np.stack(
            [[_scheme_effective(params, s, x) for s in schemes] for x in normalised]
        )
    else:
        scheme_w = np.zeros((len(normalisations), 0, normalised.shape[-1]))
    n = normalised.shape[-1]
    # spread = coefficient of variation of a weight of 1/I: (I - 1) / (c + 1) = spread²
    concentration = max((n - 1) / sens.weights.spread**2 - 1.0, 1.0)
    return _Model(
        params=params,
        structure=_Structure.of(params),
        normalisations=normalisations,
        normalised=normalised,
        aggregations=tuple(dict.fromkeys(a.value for a in sens.aggregation)),
        centre=centre,
        schemes=schemes,
        scheme_weights=scheme_w,
        concentration=concentration,
        shift=float(sens.cutoff_shift),
        leave_one_out=sens.leave_one_out and n > 1,
        published_rank=result.rank[t],
        published_band=result.band[t],
        held=held_before(result),
    )


@dataclass(frozen=True)
class Draws:
    """Decoded inputs of K samples.

    Attributes
    ----------
    normalisation, aggregation
        (K,) indices into the model's lists of methods.
    scheme
        (K,) index into ``sensitivity.weights.schemes``, or -1 when the weights are Dirichlet.
    weights
        (K, I) effective weights used (the left-out indicator at 0), each row summing to 1.
    cutoff_shift
        (K,) points added to every cut-off (percentage points of the quantiles for quantile bands).
    left_out
        (K,) index of the indicator left out, -1 for none.
    """

    normalisation: np.ndarray
    aggregation: np.ndarray
    scheme: np.ndarray
    weights: np.ndarray
    cutoff_shift: np.ndarray
    left_out: np.ndarray

    def take(self, idx) -> Draws:
        return Draws(*(getattr(self, f)[idx] for f in self.__dataclass_fields__))


def _slot(u: np.ndarray, n: int) -> np.ndarray:
    """A uniform draw on [0, 1) to one of n equally likely choices."""
    return np.minimum((u * n).astype(np.int64), n - 1)


def _decode(model: _Model, u: np.ndarray, rng: np.random.Generator | None = None) -> Draws:
    """Map uniforms (K, d), one column per :attr:`_Model.dims`, to the inputs they stand for.

    With ``rng``, the Dirichlet's Gamma variates are drawn from it directly (the same
    distribution, an order of magnitude faster than the inverse CDF) and the weight columns of
    ``u`` are not read.
    """
    k = u.shape[0]
    col = dict(zip(model.dims, u.T, strict=True))
    zeros = np.zeros(k, dtype=np.int64)
    norm = (
        _slot(col["normalisation"], len(model.normalisations)) if "normalisation" in col else zeros
    )
    aggr = _slot(col["aggregation"], len(model.aggregations)) if "aggregation" in col else zeros
    n = model.n_indicators
    if model.schemes:
        scheme = (
            _slot(col["weights_scheme"], len(model.schemes)) if "weights_scheme" in col else zeros
        )
        weights = model.scheme_weights[norm, scheme]
    else:
        scheme = zeros - 1
        alpha = model.concentration * model.centre[norm]  # (K, I)
        positive = np.where(alpha > 0, alpha, 1.0)
        if rng is not None:
            gamma = rng.standard_gamma(positive)
        else:
            import scipy.special  # only the Sobol design's inverse CDF needs it

            uw = np.clip(
                np.stack([col[f"weight_{key}"] for key in model.params.indicator_keys], axis=1),
                _U_EPS,
                1 - _U_EPS,
            )
            gamma = scipy.special.gammaincinv(positive, uw)  # Gamma(alpha_i) by its inverse CDF
        # independent Gamma(alpha_i) variates, normalised: Dirichlet(alpha)
        weights = np.where(alpha > 0, gamma, 0.0)
    shift = (
        (2.0 * col["cutoff_shift"] - 1.0) * model.shift if "cutoff_shift" in col else np.zeros(k)
    )
    if "left_out" in col:
        slot = _slot(col["left_out"], n + 1)  # n + 1 choices: each indicator, or none
        left = np.where(slot == n, -1, slot)
        weights = np.where(np.arange(n) == left[:, None], 0.0, weights)
    else:
        left = zeros - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        weights = weights / weights.sum(axis=1, keepdims=True)
    return Draws(norm, aggr, scheme, weights, shift, left)


# -- evaluating the draws, chunk by chunk -----------------------------------------------------
#: Samples x stations x indicators cells evaluated at once (about 32 MB of float64): the chunk
#: size over samples follows from it, so memory stays bounded for any number of stations.
CHUNK_CELLS = 4_000_000


def _chunk_size(model: _Model) -> int:
    s, i = model.normalised.shape[-2:]
    return max(1, CHUNK_CELLS // (s * max(i, 4)))


def _evaluate(model: _Model, draws: Draws) -> np.ndarray:
    """Composite scores (K, S) of the decoded samples, one array per (normalisation, aggregation)."""
    k = draws.weights.shape[0]
    out = np.empty((k, model.normalised.shape[1]))
    for m in range(len(model.normalisations)):  # loops over the handful of discrete choices only
        for a, method in enumerate(model.aggregations):
            idx = np.flatnonzero((draws.normalisation == m) & (draws.aggregation == a))
            if idx.size:
                out[idx] = _composites(
                    model.normalised[m], draws.weights[idx], method, model.structure
                )
    return out


def _chunks(k: int, size: int) -> Iterable[slice]:
    return (slice(start, min(start + size, k)) for start in range(0, k, size))


def _evaluate_chunk(
    draws: Draws, model: _Model, params: Params
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Composite scores, ranks and bands of one chunk of samples: a pure function of its draws,
    so a chunk gives the same bits in this process or on a cluster worker."""
    composite = _evaluate(model, draws)
    return (
        composite,
        shared_rank(composite),
        _bands(composite, params, draws.cutoff_shift, model.held),
    )
