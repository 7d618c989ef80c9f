"""Uncertainty analysis: a Monte Carlo over the uncertain inputs, summarised per station.

:func:`monte_carlo` draws the inputs declared in ``sensitivity`` of the parameters and
re-scores the reported month under each sample; :func:`station_uncertainty` gives per station
the median rank, the 5-95 % rank interval and the probability of each colour, and
:func:`stable_share` the share of stations whose colour holds. :func:`rescore_sample` re-scores
one sample the slow way, as the reference the vectorised samples must agree with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fivecolor.analysis.sensitivity.draws import (
    Draws,
    _chunk_size,
    _chunks,
    _decode,
    _evaluate_chunk,
    _model,
)
from fivecolor.analysis.sensitivity.engine import _Structure
from fivecolor.scoring.bands import BANDS
from fivecolor.scoring.pipeline import ScoreResult, score

#: The per-station table of ``fivecolor sensitivity``, in this column order.
STATION_COLUMNS = (
    "station_id",
    "median_rank",
    "rank_p05",
    "rank_p95",
    "p_red",
    "p_orange",
    "p_blue",
    "p_green",
    "p_yellow",
    "p_changed",
)


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
        frame = pd.DataFrame(
            {
                "normalisation": np.asarray(self.normalisations, dtype=object)[
                    self.draws.normalisation
                ],
                "aggregation": np.asarray(self.aggregations, dtype=object)[self.draws.aggregation],
                "weights_scheme": (
                    np.asarray(self.schemes, dtype=object)[self.draws.scheme]
                    if self.schemes
                    else "dirichlet"
                ),
                "cutoff_shift": self.draws.cutoff_shift,
                "left_out": keys[self.draws.left_out],  # -1 picks the trailing "" (none)
            }
        )
        weights = pd.DataFrame(
            self.draws.weights, columns=[f"w_{k}" for k in self.result.params.indicator_keys]
        )
        return pd.concat([frame, weights], axis=1)

    def __repr__(self) -> str:
        return (
            f"UncertaintyResult(period={self.result.params.period!r}, samples={self.samples}, "
            f"stations={self.ranks.shape[1]}, seed={self.seed}, dims={self.dims})"
        )


def monte_carlo(
    result: ScoreResult, samples: int | None = None, seed: int | None = None, executor=None
) -> UncertaintyResult:
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
        evaluated = executor.map(
            _evaluate_chunk, [draws.take(part) for part in parts], model, result.params
        )
    for part, (composite, chunk_ranks, chunk_bands) in zip(parts, evaluated, strict=True):
        scores[part] = composite
        ranks[part] = chunk_ranks
        bands[part] = chunk_bands
    return UncertaintyResult(
        result=result,
        seed=seed,
        dims=model.dims,
        uniforms=uniforms,
        draws=draws,
        normalisations=model.normalisations,
        aggregations=model.aggregations,
        schemes=model.schemes,
        scores=scores,
        ranks=ranks,
        bands=bands,
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
    _, s = ranks.shape
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
    p_published = np.where(
        scored, prob[np.arange(len(published)), np.maximum(published, 0)], np.nan
    )
    prob = np.where(scored[:, None], prob, np.nan)
    band_names = np.array((*BANDS, ""), dtype=object)
    frame = pd.DataFrame(
        {
            "station_id": mc.station_ids,
            "median_rank": pct[1],
            "rank_p05": pct[0],
            "rank_p95": pct[2],
            **{f"p_{name}": prob[:, b] for b, name in enumerate(BANDS)},
            "p_changed": 1.0 - p_published,
            "band": band_names[published],
            "p_published": p_published,
            "_rank": mc.published_rank,
        }
    )
    return (
        frame.sort_values(["_rank", "station_id"], na_position="last")
        .drop(columns="_rank")
        .reset_index(drop=True)
    )


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
    indicators = {
        key: {**spec.model_dump(), "weight": float(w[i])}
        for i, (key, spec) in enumerate(params.indicators.items())
    }
    changes: dict = {
        "normalisation": mc.normalisations[mc.draws.normalisation[k]],
        "aggregation": mc.aggregations[mc.draws.aggregation[k]],
        "weights_scheme": "given",
        "indicators": indicators,
    }
    if params.groups is not None:
        membership = _Structure.of(params).membership
        assert membership is not None  # the parameters have groups
        totals = np.bincount(membership, weights=w, minlength=len(params.groups))
        changes["groups"] = {
            name: {**g.model_dump(), "weight": float(totals[j])}
            for j, (name, g) in enumerate(params.groups.items())
        }
    shift = float(mc.draws.cutoff_shift[k])
    b = params.bands
    changes["bands"] = {
        **b.model_dump(),
        "cutoffs": [c + shift for c in b.cutoffs],
        "quantiles": [q + shift / 100.0 for q in b.quantiles],
    }
    return score(mc.result.data, params.replace(**changes))
