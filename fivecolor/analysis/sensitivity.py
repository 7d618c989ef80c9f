"""Uncertainty and sensitivity analysis: is a station yellow because it is weak, or because of a choice?

The composite of the reported month is recomputed under many draws of the choices a
methodologist could reasonably have made (weights, normalisation, aggregation, band cut-offs,
the indicator set), as the statistical audits of composite indicators do [1]_ [2]_:

- :func:`monte_carlo` draws the uncertain inputs declared in ``sensitivity`` of the parameters
  and gives, per station, the median rank, the 5-95 % rank interval and the probability of
  each colour (:func:`station_uncertainty`, :func:`stable_share`);
- :func:`sobol` gives first-order and total Sobol indices of those inputs, estimated by
  :func:`scipy.stats.sobol_indices` (Saltelli et al. 2010 [3]_), at N and 2N samples;
- :func:`cutoff_distances` and :func:`cutoff_shift_counts` say how close each station is to
  the next colour and how many colours move when a cut-off moves;
- :func:`indicator_influence`, :func:`leave_one_out`, :func:`scheme_rankings` and
  :func:`scheme_rank_correlations` say which indicators and which weighting schemes drive the
  ranking (Paruolo, Saisana & Saltelli 2013 [4]_).

Every uncertain input is a function of one uniform draw on [0, 1): a discrete choice
(normalisation, aggregation, left-out indicator, weighting scheme) takes the slot the draw falls
in, a cut-off shift is uniform on ``±cutoff_shift``, and the weights are Dirichlet, built from
independent Gamma variates by their inverse distribution function. The same mapping serves the
Monte Carlo (uniforms from a seeded generator) and the Sobol design (scipy's scrambled Sobol'
points), so both analyse the same model. All samples of one (normalisation, aggregation) pair
are evaluated as one array, in chunks that bound memory; nothing loops over stations or samples.

References
----------
.. [1] OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User
   Guide*. OECD Publishing, sections 1.7 and 7 (uncertainty and sensitivity analysis).
.. [2] Saisana, M., Saltelli, A. & Tarantola, S. (2005). Uncertainty and sensitivity analysis
   techniques as tools for the quality assessment of composite indicators. *Journal of the
   Royal Statistical Society A*, 168(2), 307-323.
.. [3] Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M. & Tarantola, S. (2010).
   Variance based sensitivity analysis of model output. Design and estimator for the total
   sensitivity index. *Computer Physics Communications*, 181(2), 259-270.
.. [4] Paruolo, P., Saisana, M. & Saltelli, A. (2013). Ratings and rankings: voodoo or
   science? *Journal of the Royal Statistical Society A*, 176(3), 609-634.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.special
import scipy.stats

from fivecolor.scoring import aggregate as agg
from fivecolor.scoring import bands as bandmod
from fivecolor.data.dataset import Dataset
from fivecolor.errors import InputError
from fivecolor.scoring.bands import BANDS
from fivecolor.scoring.normalise import IndicatorArrays, normalise
from fivecolor.params import Params, WeightsScheme
from fivecolor.scoring.pipeline import ScoreResult, apply_missing_policy, resolve_weights, score

__all__ = [
    "CHUNK_CELLS",
    "SOBOL_OUTPUTS",
    "STATION_COLUMNS",
    "UncertaintyResult",
    "cutoff_distances",
    "check_ahp",
    "cutoff_shift_counts",
    "indicator_influence",
    "leave_one_out",
    "monte_carlo",
    "normalised_month",
    "rescore_sample",
    "scheme_rank_correlations",
    "scheme_rankings",
    "scheme_weights",
    "sobol",
    "sobol_indices",
    "stable_share",
    "station_uncertainty",
]

#: Samples x stations x indicators cells evaluated at once (about 32 MB of float64): the chunk
#: size over samples follows from it, so memory stays bounded for any number of stations.
CHUNK_CELLS = 4_000_000
#: The per-station table of ``fivecolor sensitivity``, in this column order.
STATION_COLUMNS = ("station_id", "median_rank", "rank_p05", "rank_p95", "p_red", "p_orange",
                   "p_blue", "p_green", "p_yellow", "p_changed")
#: What :func:`sobol` can explain: the mean absolute rank shift, the share of stations whose
#: colour changes, or each station's score.
SOBOL_OUTPUTS = ("rank_shift", "band_change", "score")
#: A uniform draw is kept this far inside (0, 1) so the Gamma inverse stays finite.
_U_EPS = 1e-12


# --------------------------------------------------------------------------------------------
# weights of the schemes
# --------------------------------------------------------------------------------------------


def _source(params: Params) -> str:
    return params.sources[0] if params.sources else "parameters"


def _checked_ahp_matrix(params: Params) -> np.ndarray:
    """The AHP matrix in indicator order, refused (InputError on ``ahp.matrix``) when unusable."""
    from fivecolor.scoring import weights as schemes

    if params.ahp is None:
        raise InputError(_source(params), "ahp", "the ahp scheme needs an ahp matrix (ahp.order, ahp.matrix)")
    order = [params.ahp.order.index(k) for k in params.indicator_keys]
    matrix = np.asarray(params.ahp.matrix, dtype=float)[np.ix_(order, order)]
    try:
        result = schemes.ahp_weights(matrix, labels=params.indicator_keys)
    except ValueError as exc:
        raise InputError(_source(params), "ahp.matrix", str(exc)) from None
    if result.cr >= params.ahp.max_cr:
        raise InputError(_source(params), "ahp.matrix",
                         f"consistency ratio {result.cr:.3f} is at or above ahp.max_cr "
                         f"{params.ahp.max_cr:g}; revise the comparisons")
    return matrix


def check_ahp(params: Params) -> None:
    """Refuse an unusable or too inconsistent AHP matrix (InputError on ``ahp.matrix``) when the
    AHP scheme is used: as ``weights_scheme`` or among ``sensitivity.weights.schemes``."""
    if WeightsScheme.ahp in (params.weights_scheme, *params.sensitivity.weights.schemes):
        _checked_ahp_matrix(params)


def normalised_month(params: Params, data: Dataset, method: str | None = None) -> np.ndarray:
    """The reported month's normalised scores (stations, indicators) under ``method`` (default: the
    parameters'), after the missing-data policy, without aggregating anything."""
    t = data.periods.index(params.period)
    filled, _ = apply_missing_policy(data.values, params.missing)
    method = method or params.normalisation.value
    return normalise(filled[t], IndicatorArrays.from_params(params), method)


def scheme_weights(params: Params, month_scores: np.ndarray) -> pd.DataFrame:
    """Every weighting scheme's weights side by side (OECD/JRC Handbook 2008, section 6).

    Parameters
    ----------
    params
        The parameters: the catalogue's given weights and, when present, the AHP matrix.
    month_scores
        The reported month's normalised scores, (stations, indicators); see
        :func:`normalised_month`.

    Returns
    -------
    pandas.DataFrame
        One row per scheme (index ``scheme``: given, equal, entropy, critic, pca and ahp when
        the parameters have a matrix), one column per indicator key, and ``consistency_ratio``
        (AHP's CR on its row, empty elsewhere). The weights are the scheme's raw weights over
        all indicators, before any split into groups.

    Raises
    ------
    InputError
        On ``ahp.matrix`` when the matrix is not a valid reciprocal matrix or its consistency
        ratio is at or above ``ahp.max_cr``.
    """
    from fivecolor.scoring import weights as schemes

    matrix = _checked_ahp_matrix(params) if params.ahp is not None else None
    given = np.array([s.weight for s in params.indicators.values()], dtype=float)
    table = schemes.all_scheme_weights(month_scores, given, matrix)
    return table.rename(columns=dict(enumerate(params.indicator_keys)))


def _scheme_effective(params: Params, scheme: WeightsScheme | str, month_scores: np.ndarray) -> np.ndarray:
    """Each indicator's share of the composite under ``scheme`` (groups applied), shape (I,)."""
    scheme = WeightsScheme(scheme)
    if scheme is WeightsScheme.ahp:
        _checked_ahp_matrix(params)
    if scheme is not params.weights_scheme:
        params = params.replace(weights_scheme=scheme)
    weights, _ = resolve_weights(params, month_scores)
    return weights.effective


# --------------------------------------------------------------------------------------------
# many composites at once
# --------------------------------------------------------------------------------------------


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
        membership = np.array([names.index(s.group) for s in params.indicators.values()])
        fixed = tuple(g.aggregation.value if g.aggregation else None for g in params.groups.values())
        return cls(membership, fixed)


def _aggregate_shared(x: np.ndarray, w: np.ndarray, method: str) -> np.ndarray:
    """Aggregate one month ``x`` (S, I) under K weight vectors ``w`` (K, I) at once: (K, S).

    The same arithmetic as :func:`fivecolor.scoring.aggregate.aggregate` (missing cells drop out and the
    remaining weights are rescaled; a zero with positive weight makes a geometric mean zero),
    written as matrix products so that no (K, S, I) array is built.
    """
    present = ~np.isnan(x)
    wt = w.T
    den = present.astype(float) @ wt  # (S, K): the weight present for each station and sample
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "arithmetic":
            out = (np.where(present, x, 0.0) @ wt) / den
        else:
            positive = present & (x > 0)
            logs = np.where(positive, np.log(np.where(positive, x, 1.0)), 0.0) @ wt / den
            zero_hit = (present & (x == 0)).astype(float) @ (wt > 0) > 0
            out = np.where(zero_hit, 0.0, np.exp(logs))
    return np.where(den > 0, out, np.nan).T


def _composites(x: np.ndarray, w: np.ndarray, method: str, structure: _Structure) -> np.ndarray:
    """Composite scores (K, S) of month ``x`` (S, I) under effective weights ``w`` (K, I).

    With groups, a group's weight is the sum of its members' effective weights and the members'
    weights within it are their shares of that sum, which reproduces :func:`fivecolor.scoring.pipeline.score`
    when ``w`` is the published ``Weights.effective``.
    """
    if structure.membership is None:
        out = _aggregate_shared(x, w, method)
    else:
        m = structure.membership
        group_scores = []
        group_weights = []
        for g, fixed in enumerate(structure.group_aggregation):  # a handful of groups
            wg = w[:, m == g]
            total = wg.sum(axis=1, keepdims=True)
            with np.errstate(invalid="ignore", divide="ignore"):
                within = np.nan_to_num(wg / total)
            group_scores.append(_aggregate_shared(x[:, m == g], within, fixed or method))
            group_weights.append(total[:, 0])
        scores = np.stack(group_scores, axis=-1)  # (K, S, G)
        out = agg.aggregate(scores, np.stack(group_weights, axis=-1)[:, None, :], method)
    return np.round(out, 9)  # as in scoring: float noise must not decide a band at a cut-off


def _ranks(composite: np.ndarray) -> np.ndarray:
    """:func:`fivecolor.scoring.bands.ordinal_rank` of composites (K, S) rounded to 9 decimals, faster.

    The score in units of 1e-9 times S plus the station's position is a unique int64 key, so an
    unstable (vectorised) sort gives the stable order: ties still go to the earlier station.
    """
    s = composite.shape[-1]
    missing = np.isnan(composite)
    top = np.max(np.abs(np.where(missing, 0.0, composite)), initial=0.0)
    if (top + 1.0) * 1e9 * s > 2.0**62:  # out of int64 range: the general routine
        return bandmod.ordinal_rank(composite)
    units = np.round(np.where(missing, -top - 1.0, composite) * 1e9).astype(np.int64)  # missing last
    order = np.argsort(-units * s + np.arange(s), axis=-1)
    ranks = np.empty(composite.shape, dtype=np.float64)
    np.put_along_axis(ranks, order, np.arange(1.0, s + 1.0), axis=-1)
    return np.where(missing, np.nan, ranks)


def _bands(composite: np.ndarray, params: Params, shift: np.ndarray | float = 0.0) -> np.ndarray:
    """Band codes of composites (..., S) with every cut-off moved by ``shift`` (...,) points.

    For quantile bands the quantiles move by ``shift`` percentage points (``shift / 100``).
    """
    shift = np.asarray(shift, dtype=float)[..., None]
    if params.bands.method == "cutoffs":
        # bands.by_cutoffs' rule (count the cut-offs above the score), one cut-off at a time so
        # that no (..., S, 4) array is built
        codes = np.zeros(composite.shape, dtype=np.int8)
        for c in params.bands.cutoffs:  # four band boundaries
            codes += composite < (c + shift)
        return np.where(np.isnan(composite), bandmod.NO_BAND, codes)
    q = np.asarray(params.bands.quantiles, dtype=float) + shift / 100.0
    return bandmod.by_quantiles(composite, np.broadcast_to(q, (*composite.shape[:-1], 4)))


# --------------------------------------------------------------------------------------------
# the uncertain inputs
# --------------------------------------------------------------------------------------------


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
    params = result.params
    sens = params.sensitivity
    t = result.period_index
    ind = IndicatorArrays.from_params(params)
    normalisations = tuple(dict.fromkeys(m.value for m in sens.normalisation))
    normalised = np.stack([normalise(result.filled[t], ind, m) for m in normalisations])
    centre = np.stack([_scheme_effective(params, params.weights_scheme, x) for x in normalised])
    schemes = tuple(dict.fromkeys(s.value for s in sens.weights.schemes))
    if schemes:
        scheme_w = np.stack([[_scheme_effective(params, s, x) for s in schemes] for x in normalised])
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
    col = dict(zip(model.dims, u.T))
    zeros = np.zeros(k, dtype=np.int64)
    norm = _slot(col["normalisation"], len(model.normalisations)) if "normalisation" in col else zeros
    aggr = _slot(col["aggregation"], len(model.aggregations)) if "aggregation" in col else zeros
    n = model.n_indicators
    if model.schemes:
        scheme = _slot(col["weights_scheme"], len(model.schemes)) if "weights_scheme" in col else zeros
        weights = model.scheme_weights[norm, scheme]
    else:
        scheme = zeros - 1
        alpha = model.concentration * model.centre[norm]  # (K, I)
        positive = np.where(alpha > 0, alpha, 1.0)
        if rng is not None:
            gamma = rng.standard_gamma(positive)
        else:
            uw = np.clip(np.stack([col[f"weight_{key}"] for key in model.params.indicator_keys], axis=1),
                         _U_EPS, 1 - _U_EPS)
            gamma = scipy.special.gammaincinv(positive, uw)  # Gamma(alpha_i) by its inverse CDF
        # independent Gamma(alpha_i) variates, normalised: Dirichlet(alpha)
        weights = np.where(alpha > 0, gamma, 0.0)
    shift = (2.0 * col["cutoff_shift"] - 1.0) * model.shift if "cutoff_shift" in col else np.zeros(k)
    if "left_out" in col:
        slot = _slot(col["left_out"], n + 1)  # n + 1 choices: each indicator, or none
        left = np.where(slot == n, -1, slot)
        weights = np.where(np.arange(n) == left[:, None], 0.0, weights)
    else:
        left = zeros - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        weights = weights / weights.sum(axis=1, keepdims=True)
    return Draws(norm, aggr, scheme, weights, shift, left)


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
                out[idx] = _composites(model.normalised[m], draws.weights[idx], method, model.structure)
    return out


def _chunks(k: int, size: int) -> Iterable[slice]:
    return (slice(start, min(start + size, k)) for start in range(0, k, size))


def _evaluate_chunk(draws: Draws, model: _Model, params: Params) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Composite scores, ranks and bands of one chunk of samples: a pure function of its draws,
    so a chunk gives the same bits in this process or on a cluster worker."""
    composite = _evaluate(model, draws)
    return composite, _ranks(composite), _bands(composite, params, draws.cutoff_shift)


# --------------------------------------------------------------------------------------------
# uncertainty analysis
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class UncertaintyResult:
    """A Monte Carlo run over the uncertain inputs: per-sample scores, ranks and bands.

    Attributes
    ----------
    result
        The published scoring run the samples perturb.
    seed, samples
        The generator's seed and the number of samples K.
    dims
        Names of the uniform inputs drawn (see :func:`monte_carlo`).
    uniforms
        (K, d) the uniform draws, one column per entry of ``dims`` (the weights' columns are
        unused: the Monte Carlo draws the Dirichlet's Gamma variates directly).
    draws
        The inputs they decode to (:class:`Draws`).
    normalisations, aggregations, schemes
        The choices the draws index.
    scores
        (K, S) float32 composite scores of each sample.
    ranks
        (K, S) float32 ranks (1 = best, NaN = no score).
    bands
        (K, S) int8 band codes (0 = red ... 4 = yellow, -1 = no score).
    """

    result: ScoreResult
    seed: int
    dims: tuple[str, ...]
    uniforms: np.ndarray
    draws: Draws
    normalisations: tuple[str, ...]
    aggregations: tuple[str, ...]
    schemes: tuple[str, ...]
    scores: np.ndarray
    ranks: np.ndarray
    bands: np.ndarray

    @property
    def samples(self) -> int:
        return self.ranks.shape[0]

    @property
    def station_ids(self) -> np.ndarray:
        return self.result.data.stations.index.to_numpy()

    @property
    def published_rank(self) -> np.ndarray:
        return self.result.rank[self.result.period_index]

    @property
    def published_band(self) -> np.ndarray:
        return self.result.band[self.result.period_index]

    def inputs(self) -> pd.DataFrame:
        """The drawn inputs, one row per sample, readable (method names, indicator keys)."""
        keys = np.array((*self.result.params.indicator_keys, ""), dtype=object)
        frame = pd.DataFrame({
            "normalisation": np.asarray(self.normalisations, dtype=object)[self.draws.normalisation],
            "aggregation": np.asarray(self.aggregations, dtype=object)[self.draws.aggregation],
            "weights_scheme": (np.asarray(self.schemes, dtype=object)[self.draws.scheme]
                               if self.schemes else "dirichlet"),
            "cutoff_shift": self.draws.cutoff_shift,
            "left_out": keys[self.draws.left_out],  # -1 picks the trailing "" (none)
        })
        weights = pd.DataFrame(self.draws.weights, columns=[f"w_{k}" for k in self.result.params.indicator_keys])
        return pd.concat([frame, weights], axis=1)

    def __repr__(self) -> str:
        return (f"UncertaintyResult(period={self.result.params.period!r}, samples={self.samples}, "
                f"stations={self.ranks.shape[1]}, seed={self.seed}, dims={self.dims})")


def monte_carlo(result: ScoreResult, samples: int | None = None, seed: int | None = None,
                executor=None) -> UncertaintyResult:
    """Uncertainty analysis of the reported month by Monte Carlo over the declared inputs.

    Each sample draws, as ``sensitivity`` in the parameters declares: the weights (Dirichlet
    around the chosen scheme's effective weights with coefficient of variation
    ``weights.spread`` for a weight of 1/I, or one of ``weights.schemes``), the normalisation
    and aggregation methods among those listed, a uniform shift of every cut-off on
    ``±cutoff_shift`` points (percentage points of the quantiles for quantile bands) and, with
    ``leave_one_out``, one indicator to leave out or none (each of the I + 1 outcomes equally
    likely). This follows the uncertainty analysis of the OECD/JRC Handbook (2008, section 7)
    and Saisana, Saltelli & Tarantola (2005, JRSS A 168(2)).

    Parameters
    ----------
    result
        The published scoring run (:func:`fivecolor.scoring.pipeline.score`).
    samples
        Number of samples K (default ``sensitivity.samples``).
    seed
        Seed of the generator (default ``sensitivity.seed``): the same seed gives the same
        result bit for bit.
    executor
        Where the chunks of samples are evaluated: ``None`` here, or an executor of
        :mod:`fivecolor.site.executors` (e.g. ``get_executor("dask")``) that maps them. The samples
        are drawn here, once, and cut into the same chunks either way, so the result is the
        same bit for bit.

    Returns
    -------
    UncertaintyResult

    Examples
    --------
    >>> mc = monte_carlo(score(data, params), samples=2000)  # doctest: +SKIP
    >>> station_uncertainty(mc).head()  # doctest: +SKIP
    """
    sens = result.params.sensitivity
    samples = int(sens.samples if samples is None else samples)
    seed = int(sens.seed if seed is None else seed)
    if samples < 1:
        raise ValueError(f"samples must be at least 1, got {samples}")
    model = _model(result)
    rng = np.random.default_rng(seed)
    uniforms = rng.random((samples, len(model.dims)))
    draws = _decode(model, uniforms, rng)
    n_stations = model.normalised.shape[1]
    scores = np.empty((samples, n_stations), dtype=np.float32)
    ranks = np.empty((samples, n_stations), dtype=np.float32)
    bands = np.empty((samples, n_stations), dtype=np.int8)
    parts = list(_chunks(samples, _chunk_size(model)))
    if executor is None:
        evaluated = (_evaluate_chunk(draws.take(part), model, result.params) for part in parts)
    else:
        evaluated = executor.map(_evaluate_chunk, [draws.take(part) for part in parts], model, result.params)
    for part, (composite, chunk_ranks, chunk_bands) in zip(parts, evaluated):
        scores[part] = composite
        ranks[part] = chunk_ranks
        bands[part] = chunk_bands
    return UncertaintyResult(
        result=result, seed=seed, dims=model.dims, uniforms=uniforms, draws=draws,
        normalisations=model.normalisations, aggregations=model.aggregations, schemes=model.schemes,
        scores=scores, ranks=ranks, bands=bands,
    )


def _colour_probabilities(bands: np.ndarray) -> np.ndarray:
    """(S, 5) share of samples in each band, by one bincount over (station, band) pairs."""
    k, s = bands.shape
    cell = (bands.astype(np.int64) + 1) + 6 * np.arange(s)  # slot 0 of each station: no band
    counts = np.bincount(cell.ravel(), minlength=6 * s).reshape(s, 6)
    return counts[:, 1:] / k


def _rank_percentiles(ranks: np.ndarray, q: Sequence[float]) -> np.ndarray:
    """Percentiles (len(q), S) of integer ranks (K, S) over the samples, NaN ranks left out.

    The same numbers as ``np.percentile(..., method="linear")``, read from each station's
    counts of every rank (one bincount) instead of sorting K values per station.
    """
    k, s = ranks.shape
    if s * s > 25_000_000:  # the counts table would be large: sort instead
        with np.errstate(invalid="ignore"):
            return np.nanpercentile(ranks, np.asarray(q) * 100, axis=0)
    present = ~np.isnan(ranks)
    cell = np.where(present, ranks, 1).astype(np.int64) - 1 + s * np.arange(s)
    counts = np.bincount(cell[present], minlength=s * s).reshape(s, s)  # [station, rank - 1]
    cum = np.cumsum(counts, axis=1)
    n = cum[:, -1]
    out = np.full((len(q), s), np.nan)
    for i, p in enumerate(q):  # three percentiles
        h = (n - 1) * p
        lo, hi = np.floor(h), np.ceil(h)
        v_lo = 1 + np.argmax(cum > lo[:, None], axis=1)  # the lo-th order statistic (0-based)
        v_hi = 1 + np.argmax(cum > hi[:, None], axis=1)
        out[i] = np.where(n > 0, v_lo + (h - lo) * (v_hi - v_lo), np.nan)
    return out


def station_uncertainty(mc: UncertaintyResult) -> pd.DataFrame:
    """Per station: median rank, 5-95 % rank interval and the probability of each colour.

    Columns :data:`STATION_COLUMNS` (``p_changed`` is the probability that the colour differs
    from the published one), then ``band`` (published) and ``p_published`` (the probability of
    the published colour); best published rank first. Stations without a score have empty
    ranks and probabilities. The uncertainty analysis of the OECD/JRC Handbook (2008) and
    Saisana, Saltelli & Tarantola (2005, JRSS A 168(2)), reported per station.
    """
    scored = ~np.isnan(mc.published_rank)
    pct = np.where(scored, _rank_percentiles(mc.ranks, (0.05, 0.5, 0.95)), np.nan)
    prob = _colour_probabilities(mc.bands)
    published = mc.published_band
    p_published = np.where(scored, prob[np.arange(len(published)), np.maximum(published, 0)], np.nan)
    prob = np.where(scored[:, None], prob, np.nan)
    band_names = np.array((*BANDS, ""), dtype=object)
    frame = pd.DataFrame({
        "station_id": mc.station_ids,
        "median_rank": pct[1],
        "rank_p05": pct[0],
        "rank_p95": pct[2],
        **{f"p_{name}": prob[:, b] for b, name in enumerate(BANDS)},
        "p_changed": 1.0 - p_published,
        "band": band_names[published],
        "p_published": p_published,
        "_rank": mc.published_rank,
    })
    return frame.sort_values(["_rank", "station_id"], na_position="last").drop(columns="_rank").reset_index(drop=True)


def stable_share(mc: UncertaintyResult, threshold: float = 0.9) -> float:
    """Share of the month's scored stations whose published colour holds in at least
    ``threshold`` of the samples (OECD/JRC Handbook 2008; Saisana, Saltelli & Tarantola 2005)."""
    scored = mc.published_band >= 0
    if not scored.any():
        return float("nan")
    held = (mc.bands[:, scored] == mc.published_band[scored]).mean(axis=0)
    return float(np.mean(held >= threshold))


def rescore_sample(mc: UncertaintyResult, k: int) -> ScoreResult:
    """Sample ``k`` re-scored the slow, independent way: :func:`fivecolor.scoring.pipeline.score` on the
    whole dataset under parameters changed to that sample's inputs.

    This is the reference the vectorised Monte Carlo must agree with (and the naive baseline of
    the benchmark): the sample's effective weights become ``given`` weights (and group weights),
    its methods and shifted cut-offs replace the published ones.
    """
    params = mc.result.params
    w = mc.draws.weights[k]
    indicators = {key: {**spec.model_dump(), "weight": float(w[i])}
                  for i, (key, spec) in enumerate(params.indicators.items())}
    changes: dict = {
        "normalisation": mc.normalisations[mc.draws.normalisation[k]],
        "aggregation": mc.aggregations[mc.draws.aggregation[k]],
        "weights_scheme": "given",
        "indicators": indicators,
    }
    if params.groups is not None:
        membership = _Structure.of(params).membership
        totals = np.bincount(membership, weights=w, minlength=len(params.groups))
        changes["groups"] = {name: {**g.model_dump(), "weight": float(totals[j])}
                             for j, (name, g) in enumerate(params.groups.items())}
    shift = float(mc.draws.cutoff_shift[k])
    b = params.bands
    changes["bands"] = {**b.model_dump(),
                        "cutoffs": [c + shift for c in b.cutoffs],
                        "quantiles": [q + shift / 100.0 for q in b.quantiles]}
    return score(mc.result.data, params.replace(**changes))


# --------------------------------------------------------------------------------------------
# sensitivity analysis: Sobol indices
# --------------------------------------------------------------------------------------------


def sobol_indices(func: Callable[[np.ndarray], np.ndarray], dists: Sequence, n: int,
                  seed: int) -> tuple[np.ndarray, np.ndarray]:
    """First-order and total Sobol indices of a vectorised model, by :func:`scipy.stats.sobol_indices`.

    scipy evaluates ``func`` on Saltelli's A, B and AB_i matrices of scrambled Sobol' points and
    applies the estimators of Saltelli et al. (2010, Computer Physics Communications 181(2)) for
    the first-order index and Jansen's for the total index; ``n (d + 2)`` evaluations in all.

    Parameters
    ----------
    func
        Maps inputs (d, m) to outputs (s, m) (or (m,) for one output), all m samples at once.
    dists
        d frozen scipy distributions of the independent inputs.
    n
        Base sample size, a power of 2.
    seed
        Seed of the scrambling.

    Returns
    -------
    first_order, total_order
        Arrays (s, d); an output with no variance has indices 0.
    """
    res = scipy.stats.sobol_indices(func=func, n=n, dists=list(dists), rng=np.random.default_rng(seed))
    d = len(dists)
    return np.asarray(res.first_order).reshape(-1, d), np.asarray(res.total_order).reshape(-1, d)


def _sobol_model(model: _Model, output: str) -> Callable[[np.ndarray], np.ndarray]:
    scored = ~np.isnan(model.published_rank)

    def func(x: np.ndarray) -> np.ndarray:
        u = x.T
        rows = []
        for part in _chunks(u.shape[0], _chunk_size(model)):
            draws = _decode(model, u[part])
            composite = _evaluate(model, draws)
            if output == "rank_shift":
                shift = np.abs(_ranks(composite)[:, scored] - model.published_rank[scored])
                rows.append(shift.mean(axis=1)[:, None])
            elif output == "band_change":
                bands = _bands(composite, model.params, draws.cutoff_shift)
                rows.append((bands[:, scored] != model.published_band[scored]).mean(axis=1)[:, None])
            else:
                rows.append(composite[:, scored])
        return np.concatenate(rows).T

    return func


def sobol(result: ScoreResult, n: int | None = None, output: str = "rank_shift") -> pd.DataFrame:
    """First-order (S1) and total (ST) Sobol indices of the uncertain inputs, at N and at 2N.

    The inputs are those of :func:`monte_carlo`, each a uniform draw on [0, 1) (the weights as
    one input per indicator: the Gamma variate behind its Dirichlet share); inputs that do not
    vary under the parameters are left out. The indices are estimated by
    :func:`scipy.stats.sobol_indices` (Saltelli et al. 2010 estimators) through
    :func:`sobol_indices`, as in the sensitivity analysis of the OECD/JRC Handbook (2008) and
    Saisana, Saltelli & Tarantola (2005, JRSS A 168(2)). Showing the indices at N and 2N (the 2N
    design extends the N one) lets the reader judge convergence.

    Parameters
    ----------
    result
        The published scoring run.
    n
        Base sample size N, a power of 2 (default ``sensitivity.sobol_samples``); the model is
        evaluated ``(N + 2N)(d + 2)`` times.
    output
        ``"rank_shift"``: the mean absolute shift of the stations' ranks from the published
        ones; ``"band_change"``: the share of stations whose colour differs from the published
        one (the only output the cut-off shift acts on); ``"score"``: each station's composite.

    Returns
    -------
    pandas.DataFrame
        Long table: ``input, n, S1, ST``; for ``score`` also ``station_id`` first. S1 may come
        out slightly below 0 for an input without influence: estimation noise.
    """
    if output not in SOBOL_OUTPUTS:
        raise ValueError(f"output must be one of {SOBOL_OUTPUTS}, got {output!r}")
    n = int(result.params.sensitivity.sobol_samples if n is None else n)
    model = _model(result)
    dims = model.dims
    if not dims:
        raise ValueError("no input varies under sensitivity; nothing to analyse")
    func = _sobol_model(model, output)
    frames = []
    for size in (n, 2 * n):
        first, total = sobol_indices(func, [scipy.stats.uniform()] * len(dims), size, result.params.sensitivity.seed)
        frame = pd.DataFrame({"input": np.tile(dims, first.shape[0]), "n": size,
                              "S1": first.ravel(), "ST": total.ravel()})
        if output == "score":
            ids = result.data.stations.index.to_numpy()[~np.isnan(model.published_rank)]
            frame.insert(0, "station_id", np.repeat(ids, len(dims)))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------------------------
# cut-offs
# --------------------------------------------------------------------------------------------


def cutoff_distances(result: ScoreResult) -> pd.DataFrame:
    """Each station's distance, in score points, to the next band up and down.

    For cut-off bands, ``distance_up`` is the next cut-off above minus the score (points to
    gain to move up) and ``distance_down`` the score minus the station's own cut-off (points it
    may lose before dropping). For quantile bands the boundaries are the scores of the
    neighbouring bands' nearest stations: the lowest score in the band above, the highest in
    the band below. Red has no distance up, yellow none down. A sensitivity measure of the
    OECD/JRC Handbook (2008) kind; see also Saisana, Saltelli & Tarantola (2005, JRSS A 168(2)).

    Returns
    -------
    pandas.DataFrame
        ``station_id, score, rank, band, next_up, distance_up, next_down, distance_down``,
        best rank first.
    """
    t = result.period_index
    composite, band = result.composite[t], result.band[t]
    scored = band >= 0
    b = np.maximum(band, 0)
    if result.params.bands.method == "cutoffs":
        cut = np.asarray(result.params.bands.cutoffs, dtype=float)
        upper = np.concatenate([[np.nan], cut])  # upper[b]: cut-off of band b - 1 (to reach)
        lower = np.concatenate([cut, [np.nan]])  # lower[b]: band b's own cut-off
        up, down = upper[b], lower[b]
    else:
        low = np.full(5, np.inf)
        high = np.full(5, -np.inf)
        np.minimum.at(low, b[scored], composite[scored])
        np.maximum.at(high, b[scored], composite[scored])
        low[~np.isfinite(low)] = np.nan
        high[~np.isfinite(high)] = np.nan
        up = np.concatenate([[np.nan], low[:-1]])[b]  # lowest score of the band above
        down = np.concatenate([high[1:], [np.nan]])[b]  # highest score of the band below
    names = np.array(("", *BANDS, ""), dtype=object)
    frame = pd.DataFrame({
        "station_id": result.data.stations.index.to_numpy(),
        "score": composite,
        "rank": pd.array(result.rank[t], dtype="Int64"),
        "band": names[band + 1],
        "next_up": np.where(scored, names[b], ""),
        "distance_up": np.where(scored, np.round(up - composite, 6), np.nan),
        "next_down": np.where(scored, names[b + 2], ""),
        "distance_down": np.where(scored, np.round(composite - down, 6), np.nan),
    })
    return frame.sort_values(["rank", "station_id"], na_position="last").reset_index(drop=True)


def cutoff_shift_counts(result: ScoreResult, shifts: Iterable[float] = range(-5, 6)) -> pd.DataFrame:
    """How many stations change colour as each cut-off moves, alone and all together.

    Parameters
    ----------
    result
        The published scoring run.
    shifts
        Moves in points (for quantile bands: percentage points of the quantiles).

    Returns
    -------
    pandas.DataFrame
        Index ``shift``; columns ``red, orange, blue, green`` (that band's cut-off or quantile
        moved alone) and ``all`` (every one moved by the same amount): the number of stations
        whose colour differs from the published one. OECD/JRC Handbook (2008); Saisana,
        Saltelli & Tarantola (2005, JRSS A 168(2)).
    """
    t = result.period_index
    composite, published = result.composite[t], result.band[t]
    h = np.asarray(list(shifts), dtype=float)
    # moves (5, H, 4): cut-off j alone by h (rows 0-3), then all four by h (row 4)
    moves = np.concatenate([np.eye(4), np.ones((1, 4))])[:, None, :] * h[None, :, None]
    bands_cfg = result.params.bands
    if bands_cfg.method == "cutoffs":
        cut = np.asarray(bands_cfg.cutoffs, dtype=float) + moves
        new = bandmod.by_cutoffs(composite, cut[:, :, None, :])
    else:
        q = np.asarray(bands_cfg.quantiles, dtype=float) + moves / 100.0
        new = bandmod.by_quantiles(np.broadcast_to(composite, (*moves.shape[:2], composite.size)), q)
    changed = (new != published).sum(axis=-1)  # (5, H)
    frame = pd.DataFrame(changed.T, index=pd.Index(h, name="shift"), columns=[*BANDS[:4], "all"])
    frame.attrs["unit"] = "points" if bands_cfg.method == "cutoffs" else "percentage points of the quantiles"
    return frame


# --------------------------------------------------------------------------------------------
# indicators and schemes
# --------------------------------------------------------------------------------------------


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
    return pd.DataFrame({"nominal_weight": nominal, "pearson_r": r, "r2": r**2,
                         "effective_weight": effective, "ratio": ratio},
                        index=pd.Index(result.params.indicator_keys, name="indicator"))


def _published_rerun(result: ScoreResult, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ranks and bands (K, S) of the published month under K effective weight vectors."""
    t = result.period_index
    with np.errstate(invalid="ignore", divide="ignore"):
        weights = weights / weights.sum(axis=1, keepdims=True)
    composite = _composites(result.normalised[t], weights, result.params.aggregation.value,
                            _Structure.of(result.params))
    return bandmod.ordinal_rank(composite), _bands(composite, result.params)


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
    return pd.DataFrame({
        "mean_abs_rank_shift": shift.mean(axis=1),
        "max_abs_rank_shift": shift.max(axis=1, initial=0),
        "band_changes": (bands != result.band[t]).sum(axis=1),
    }, index=pd.Index(result.params.indicator_keys, name="indicator"))


def _scheme_names(params: Params) -> list[str]:
    return [s.value for s in WeightsScheme if s is not WeightsScheme.ahp or params.ahp is not None]


def scheme_rankings(result: ScoreResult) -> pd.DataFrame:
    """The month's ranks under every weighting scheme, other choices as published.

    Returns
    -------
    pandas.DataFrame
        Index ``station_id``; one column of ranks per scheme (given, equal, entropy, critic,
        pca, and ahp when the parameters have a matrix). OECD/JRC Handbook (2008, section 6).

    Raises
    ------
    InputError
        On ``ahp.matrix`` when the AHP matrix is unusable or too inconsistent.
    """
    t = result.period_index
    names = _scheme_names(result.params)
    weights = np.stack([_scheme_effective(result.params, s, result.normalised[t]) for s in names])
    ranks, _ = _published_rerun(result, weights)
    return pd.DataFrame(ranks.T, columns=pd.Index(names, name="scheme"),
                        index=pd.Index(result.data.stations.index, name="station_id"))


def scheme_rank_correlations(result: ScoreResult) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Spearman's rho and Kendall's tau between the schemes' rankings (scipy.stats), over the
    stations with a score (OECD/JRC Handbook 2008; Saisana, Saltelli & Tarantola 2005).

    Returns
    -------
    spearman, kendall
        Square DataFrames indexed and columned by scheme.
    """
    ranks = scheme_rankings(result).dropna()
    names = list(ranks.columns)
    c = len(names)
    rho = np.ones((c, c))
    tau = np.ones((c, c))
    for i in range(c):  # a handful of schemes: pairs, not stations
        for j in range(i + 1, c):
            x, y = ranks.iloc[:, i].to_numpy(), ranks.iloc[:, j].to_numpy()
            rho[i, j] = rho[j, i] = scipy.stats.spearmanr(x, y).statistic
            tau[i, j] = tau[j, i] = scipy.stats.kendalltau(x, y).statistic
    index = pd.Index(names, name="scheme")
    return (pd.DataFrame(rho, index=index, columns=index.copy()),
            pd.DataFrame(tau, index=index, columns=index.copy()))

