"""Sensitivity analysis: first-order and total Sobol indices of the uncertain inputs.

The indices are estimated by :func:`scipy.stats.sobol_indices` (Saltelli et al. 2010) on the
same model as the Monte Carlo (:mod:`fivecolor.analysis.sensitivity.draws`), at N and 2N
samples so that the reader can judge convergence. :func:`colour_sobol` gives them for what a
committee sees: each station's rank, whether its colour differs from the published one, and
how many stations change colour.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from fivecolor.analysis.sensitivity.draws import (
    _chunk_size,
    _chunks,
    _decode,
    _evaluate,
    _Model,
    _model,
)
from fivecolor.analysis.sensitivity.engine import _bands
from fivecolor.scoring.bands import shared_rank
from fivecolor.scoring.pipeline import ScoreResult

#: What :func:`sobol` can explain: the mean absolute rank shift, the share of stations whose
#: colour changes, the number of them, or per station its score, its rank, or whether its
#: colour differs from the published one (0 or 1).
SOBOL_OUTPUTS = (
    "rank_shift",
    "band_change",
    "colour_changes",
    "score",
    "rank",
    "colour_changed",
)
#: The outputs with one value per station.
PER_STATION = ("score", "rank", "colour_changed")
#: The colour-level outputs of :func:`colour_sobol`, in the order a reader meets them.
COLOUR_OUTPUTS = ("colour_changes", "colour_changed", "rank")


def sobol_indices(
    func: Callable[[np.ndarray], np.ndarray], dists: Sequence, n: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
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
    import scipy.stats  # imported where used: `fivecolor sensitivity` does without it

    res = scipy.stats.sobol_indices(
        func=func, n=n, dists=list(dists), rng=np.random.default_rng(seed)
    )
    d = len(dists)
    return np.asarray(res.first_order).reshape(-1, d), np.asarray(res.total_order).reshape(-1, d)


def _output_rows(model: _Model, output: str, composite, ranks, bands) -> np.ndarray:
    """One output's rows (samples, values) from a chunk's composites, ranks and bands."""
    scored = ~np.isnan(model.published_rank)
    if output in ("rank_shift", "rank"):
        ranks = ranks[:, scored]
        if output == "rank":
            return ranks
        return np.abs(ranks - model.published_rank[scored]).mean(axis=1)[:, None]
    if output in ("band_change", "colour_changes", "colour_changed"):
        changed = (bands[:, scored] != model.published_band[scored]).astype(float)
        if output == "band_change":
            return changed.mean(axis=1)[:, None]
        if output == "colour_changes":
            return changed.sum(axis=1)[:, None]
        return changed
    return composite[:, scored]


def _sobol_model(model: _Model, outputs: str | Sequence[str]) -> Callable[[np.ndarray], np.ndarray]:
    """The model of one output or several at once: each sample is scored, ranked and coloured
    once and every output read from it, their rows stacked in ``outputs`` order."""
    outputs = (outputs,) if isinstance(outputs, str) else tuple(outputs)
    wants_ranks = any(o in ("rank_shift", "rank") for o in outputs)
    wants_bands = any(o in ("band_change", "colour_changes", "colour_changed") for o in outputs)

    def func(x: np.ndarray) -> np.ndarray:
        u = x.T
        rows = []
        for part in _chunks(u.shape[0], _chunk_size(model)):
            draws = _decode(model, u[part])
            composite = _evaluate(model, draws)
            ranks = shared_rank(composite) if wants_ranks else None
            bands = (
                _bands(composite, model.params, draws.cutoff_shift, model.held)
                if wants_bands
                else None
            )
            rows.append(
                np.concatenate(
                    [_output_rows(model, o, composite, ranks, bands) for o in outputs], axis=1
                )
            )
        return np.concatenate(rows).T

    return func


class _Moments:
    """A model wrapped to keep each output's sum and sum of squares over every evaluation.

    Every point of Saltelli's design (A, B and each AB_i) is a draw from the inputs' joint
    distribution, so these moments estimate each output's variance on the same evaluations
    the indices come from, whatever order scipy evaluates the matrices in.
    """

    def __init__(self, func: Callable[[np.ndarray], np.ndarray]):
        self.func = func
        self.count = 0
        self.total: np.ndarray | float = 0.0
        self.squares: np.ndarray | float = 0.0

    def __call__(self, x: np.ndarray) -> np.ndarray:
        y = self.func(x)
        self.count += y.shape[-1]
        self.total = self.total + y.sum(axis=-1)
        self.squares = self.squares + (y * y).sum(axis=-1)
        return y

    @property
    def variance(self) -> np.ndarray:
        mean = np.asarray(self.total) / self.count
        return np.maximum(np.asarray(self.squares) / self.count - mean * mean, 0.0)


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
        ones; ``"band_change"`` and ``"colour_changes"``: the share and the number of stations
        whose colour differs from the published one (the cut-off shift acts on colours only);
        per station, ``"score"`` its composite, ``"rank"`` its rank and ``"colour_changed"``
        1 when its colour differs from the published one.

    Returns
    -------
    pandas.DataFrame
        Long table: ``input, n, S1, ST``; per station also ``station_id`` first and the
        output's ``variance`` last. S1 may come out slightly below 0 for an input without
        influence: estimation noise.
    """
    return sobol_outputs(result, n, (output,))[output]


#: Output values (outputs x evaluations) one :func:`scipy.stats.sobol_indices` call may hold:
#: about 512 MB of float64. scipy keeps several arrays of that size, so outputs are evaluated
#: together only within it; an output larger on its own (one value per station of a large
#: month) is evaluated alone, as it always was.
SOBOL_CELLS = 64_000_000


def _output_groups(widths: Sequence[int], evaluations: int) -> list[list[int]]:
    """Indices of the outputs evaluated together: consecutive outputs whose values fit
    :data:`SOBOL_CELLS` (``widths``: values per evaluation of each output)."""
    limit = max(SOBOL_CELLS // evaluations, 1)
    groups: list[list[int]] = []
    used = limit
    for index, width in enumerate(widths):
        if used + width > limit:
            groups.append([])
            used = 0
        groups[-1].append(index)
        used += width
    return groups


def sobol_outputs(
    result: ScoreResult, n: int | None = None, outputs: Sequence[str] = ("rank_shift",)
) -> dict[str, pd.DataFrame]:
    """:func:`sobol` of several outputs, evaluated together, by output.

    Every output reads the same samples (same design, same seed), so outputs whose values fit
    in memory together (:data:`SOBOL_CELLS`) share one scoring of each sample instead of one
    each; each output's indices are those :func:`sobol` gives it alone (the estimators work
    output by output).
    """
    unknown = [o for o in outputs if o not in SOBOL_OUTPUTS]
    if unknown:
        raise ValueError(f"output must be one of {SOBOL_OUTPUTS}, got {unknown[0]!r}")
    n = int(result.params.sensitivity.sobol_samples if n is None else n)
    import scipy.stats  # imported where used: `fivecolor sensitivity` does without it

    model = _model(result)
    dims = model.dims
    if not dims:
        raise ValueError("no input varies under sensitivity; nothing to analyse")
    scored = ~np.isnan(model.published_rank)
    ids = result.data.stations.index.to_numpy()[scored]
    widths = [len(ids) if o in PER_STATION else 1 for o in outputs]
    frames: dict[str, list[pd.DataFrame]] = {o: [] for o in outputs}
    for size in (n, 2 * n):
        for group in _output_groups(widths, size * (len(dims) + 2)):
            names = [outputs[i] for i in group]
            starts = np.cumsum([0, *(widths[i] for i in group)])
            func = _Moments(_sobol_model(model, names))
            first, total = sobol_indices(
                func, [scipy.stats.uniform()] * len(dims), size, result.params.sensitivity.seed
            )
            variance = np.atleast_1d(func.variance)
            for output, start, stop in zip(names, starts[:-1], starts[1:], strict=True):
                frame = pd.DataFrame(
                    {
                        "input": np.tile(dims, stop - start),
                        "n": size,
                        "S1": first[start:stop].ravel(),
                        "ST": total[start:stop].ravel(),
                    }
                )
                if output in PER_STATION:
                    frame.insert(0, "station_id", np.repeat(ids, len(dims)))
                    frame["variance"] = np.repeat(variance[start:stop], len(dims))
                frames[output].append(frame)
    return {o: pd.concat(frames[o], ignore_index=True) for o in outputs}


def aggregated_indices(per_station: pd.DataFrame) -> pd.DataFrame:
    """Per-station indices (``station_id, input, n, S1, ST, variance``) summed into one index per
    input: each station's index weighted by its output's variance (the aggregated Sobol index
    of a multivariate output, Gamboa, Janon, Klein & Lagnoux 2014, Electronic Journal of
    Statistics 8). It is the share of the stations' summed variance an input explains;
    stations whose output never varies weigh nothing. Returns ``input, n, S1, ST``."""
    weighted = per_station.assign(
        S1=per_station["S1"].fillna(0) * per_station["variance"],
        ST=per_station["ST"].fillna(0) * per_station["variance"],
    )
    sums = weighted.groupby(["n", "input"], sort=False)[["S1", "ST", "variance"]].sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        out = sums[["S1", "ST"]].div(sums["variance"], axis=0).fillna(0.0)
    return out.reset_index()[["input", "n", "S1", "ST"]]


def colour_sobol(result: ScoreResult, n: int | None = None) -> pd.DataFrame:
    """Sobol indices of what the committee sees, at N and 2N.

    For ``output``: ``colour_changes`` (the number of stations whose colour differs from the
    published one), ``colour_changed`` (whether a station's colour differs, aggregated over
    the stations by :func:`aggregated_indices`) and ``rank`` (each station's rank, aggregated
    alike). The cut-off shift acts on the colours only, so it shows here and not on ranks.

    Returns
    -------
    pandas.DataFrame
        ``output, input, n, S1, ST``, outputs in :data:`COLOUR_OUTPUTS` order.
    """
    frames = []
    for output, table in sobol_outputs(result, n, COLOUR_OUTPUTS).items():
        if output in PER_STATION:
            table = aggregated_indices(table)
        frames.append(table.assign(output=output))
    return pd.concat(frames, ignore_index=True)[["output", "input", "n", "S1", "ST"]]
