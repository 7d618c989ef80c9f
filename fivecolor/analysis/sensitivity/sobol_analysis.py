"""Sensitivity analysis: first-order and total Sobol indices of the uncertain inputs.

The indices are estimated by :func:`scipy.stats.sobol_indices` (Saltelli et al. 2010) on the
same model as the Monte Carlo (:mod:`fivecolor.analysis.sensitivity.draws`), at N and 2N
samples so that the reader can judge convergence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import scipy.stats

from fivecolor.analysis.sensitivity.draws import (
    _chunk_size,
    _chunks,
    _decode,
    _evaluate,
    _Model,
    _model,
)
from fivecolor.analysis.sensitivity.engine import _bands, _ranks
from fivecolor.scoring.pipeline import ScoreResult

#: What :func:`sobol` can explain: the mean absolute rank shift, the share of stations whose
#: colour changes, or each station's score.
SOBOL_OUTPUTS = ("rank_shift", "band_change", "score")


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
    res = scipy.stats.sobol_indices(
        func=func, n=n, dists=list(dists), rng=np.random.default_rng(seed)
    )
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
                rows.append(
                    (bands[:, scored] != model.published_band[scored]).mean(axis=1)[:, None]
                )
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
        first, total = sobol_indices(
            func, [scipy.stats.uniform()] * len(dims), size, result.params.sensitivity.seed
        )
        frame = pd.DataFrame(
            {
                "input": np.tile(dims, first.shape[0]),
                "n": size,
                "S1": first.ravel(),
                "ST": total.ravel(),
            }
        )
        if output == "score":
            ids = result.data.stations.index.to_numpy()[~np.isnan(model.published_rank)]
            frame.insert(0, "station_id", np.repeat(ids, len(dims)))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
