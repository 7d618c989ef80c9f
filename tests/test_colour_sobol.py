"""Colour-level Sobol indices against a brute-force variance decomposition on a full grid.

The constructed model is the sample month with only discrete choices and the cut-off shift
uncertain (two aggregations, one of eleven indicator sets, a shift on ±2 points) and fixed
weights and normalisation, so every output is a function of three independent uniform
inputs. On a full factorial grid (every discrete level, 600 shifts) the variance
decomposition is computed directly from its definition: V_i = Var(E[Y | X_i]) for the first
order and E[Var(Y | X_~i)] for the total (Saltelli et al. 2008, Global Sensitivity Analysis:
The Primer, ch. 4). scipy's estimates at N = 4096 must agree within their sampling error.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fivecolor import load_data, load_params, score
from fivecolor.analysis import sensitivity as sa
from fivecolor.analysis.sensitivity import draws as sa_draws
from fivecolor.analysis.sensitivity import sobol_analysis as sa_sobol

from conftest import REPO

MAY = REPO / "params" / "2020-05.yaml"
SETTINGS = [
    "sensitivity.normalisation=[goalposts]",
    "sensitivity.aggregation=[arithmetic, geometric]",
    "sensitivity.weights.schemes=[given]",
    "sensitivity.cutoff_shift=2",
    "sensitivity.leave_one_out=true",
]
SHIFTS = 600


@pytest.fixture(scope="module")
def constructed():
    params = load_params(MAY, settings=SETTINGS)
    return score(load_data(params), params)


def _grid_outputs(result, output: str) -> np.ndarray:
    """The model on the full grid: an array (outputs, levels of each input...)."""
    model = sa_draws._model(result)
    assert model.dims == ("aggregation", "cutoff_shift", "left_out")
    levels = [2, SHIFTS, model.n_indicators + 1]
    mids = [(np.arange(k) + 0.5) / k for k in levels]  # the middle of each slot
    points = np.stack([g.ravel() for g in np.meshgrid(*mids, indexing="ij")])
    y = sa_sobol._sobol_model(model, output)(points)
    return y.reshape(-1, *levels)


def _decomposition(y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First-order and total partial variances (outputs, inputs) and the variances, by definition."""
    axes = range(1, y.ndim)
    var = y.reshape(y.shape[0], -1).var(axis=1)
    first, total = [], []
    for i in axes:
        others = tuple(a for a in axes if a != i)
        first.append(y.mean(axis=others).var(axis=1))
        total.append(y.var(axis=i).mean(axis=tuple(range(1, y.ndim - 1))))
    return np.stack(first, axis=1), np.stack(total, axis=1), var


def test_number_of_colour_changes_matches_the_grid(constructed):
    first, total, var = _decomposition(_grid_outputs(constructed, "colour_changes"))
    want_s1, want_st = first[0] / var[0], total[0] / var[0]
    table = sa.sobol(constructed, 4096, output="colour_changes").query("n == 8192")
    np.testing.assert_allclose(table["S1"], want_s1, atol=0.03)
    np.testing.assert_allclose(table["ST"], want_st, atol=0.03)
    assert np.all(want_st > 0.05)  # every input matters: no index is trivially 0


@pytest.mark.parametrize("output", ["colour_changed", "rank"])
def test_aggregated_per_station_indices_match_the_grid(constructed, output):
    first, total, var = _decomposition(_grid_outputs(constructed, output))
    want_s1 = first.sum(axis=0) / var.sum()
    want_st = total.sum(axis=0) / var.sum()
    table = sa.aggregated_indices(sa.sobol(constructed, 4096, output=output)).query("n == 8192")
    np.testing.assert_allclose(table["S1"], want_s1, atol=0.03)
    np.testing.assert_allclose(table["ST"], want_st, atol=0.03)
    if output == "rank":
        assert want_st[1] == 0  # a cut-off moves colours, never ranks


def test_colour_sobol_gives_the_three_outputs_at_n_and_2n(constructed):
    table = sa.colour_sobol(constructed, 64)
    assert list(dict.fromkeys(table["output"])) == list(sa.COLOUR_OUTPUTS)
    assert set(table["n"]) == {64, 128}
    assert len(table) == 3 * 2 * 3


def test_outputs_read_together_are_those_read_alone(constructed):
    together = sa_sobol.sobol_outputs(constructed, 64, sa.SOBOL_OUTPUTS)
    assert list(together) == list(sa.SOBOL_OUTPUTS)
    for output in sa.SOBOL_OUTPUTS:
        alone = sa_sobol.sobol(constructed, 64, output)
        # the estimators work output by output; numpy may sum a stacked array's rows in
        # another order, so the last bit can differ
        pd.testing.assert_frame_equal(together[output], alone, rtol=1e-12, atol=1e-15)


def test_colour_sobol_scores_each_design_point_once(constructed, monkeypatch):
    """The three colour outputs share one set of evaluations: (N + 2N)(d + 2) samples scored."""
    evaluated = []

    def counting(model, draws):
        evaluated.append(draws.weights.shape[0])
        return sa_draws._evaluate(model, draws)

    monkeypatch.setattr(sa_sobol, "_evaluate", counting)
    sa.colour_sobol(constructed, 64)
    dims = len(sa_draws._model(constructed).dims)
    assert sum(evaluated) == (64 + 128) * (dims + 2)


def test_outputs_too_large_together_are_evaluated_apart(monkeypatch):
    monkeypatch.setattr(sa_sobol, "SOBOL_CELLS", 3000 * 100)
    # one value per station of a 3,000-station month fills the limit: each goes alone
    assert sa_sobol._output_groups([1, 3000, 3000], 100) == [[0], [1], [2]]
    assert sa_sobol._output_groups([1, 60, 60], 100) == [[0, 1, 2]]
    assert sa_sobol._output_groups([1, 1500, 1500], 100) == [[0, 1], [2]]
