"""Uncertainty and sensitivity analysis: Sobol indices of the Ishigami function against their
analytic values (through the project's own Sobol wrapper), the vectorised Monte Carlo against
re-scoring each sample with ``fivecolor.scoring.pipeline.score``, the Dirichlet against its moments,
cut-off and indicator diagnostics against direct recomputation, and the two commands.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats
import yaml

from fivecolor import load_data, load_params, score
from fivecolor.analysis import sensitivity as sa
from fivecolor.analysis.sensitivity import draws as sa_draws
from fivecolor.analysis.sensitivity import sobol_analysis as sa_sobol
from fivecolor.analysis.sensitivity import uncertainty as sa_uncertainty
from fivecolor.errors import InputError
from fivecolor.scoring import bands as bandmod

from conftest import REPO

SAMPLE = REPO / "params" / "2020-05.yaml"
SCHEMES = REPO / "params" / "schemes"
BANDS = ("red", "orange", "blue", "green", "yellow")


def _scored(path: Path, **overrides):
    if path.parent == SCHEMES:  # a scheme states method keys only: over the sample month
        path, overrides = SAMPLE, {"scheme": path, **overrides}
    params = load_params(path, **overrides)
    return score(load_data(params), params)


@pytest.fixture(scope="module")
def sample():
    return _scored(SAMPLE)


@pytest.fixture(scope="module")
def sample_mc(sample):
    return sa.monte_carlo(sample, samples=4000)


def _variant(tmp_path: Path, doc: dict, name: str = "variant.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


# -- Sobol indices: Ishigami through the project's wrapper -------------------------------------


def _ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[0]) + a * np.sin(x[1]) ** 2 + b * x[2] ** 4 * np.sin(x[0])


def _ishigami_analytic(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Closed-form first-order and total indices (Ishigami & Homma 1990; Sobol' & Levitan 1999)."""
    v1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * np.pi**8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / var, np.array([v1 + v13, v2, v13]) / var


def test_analytic_ishigami_values_are_the_published_ones():
    first, total = _ishigami_analytic()
    np.testing.assert_allclose(first, [0.3139, 0.4424, 0.0], atol=5e-5)
    np.testing.assert_allclose(total, [0.5576, 0.4424, 0.2437], atol=5e-5)


def test_sobol_wrapper_recovers_ishigami_indices():
    dists = [scipy.stats.uniform(-np.pi, 2 * np.pi)] * 3
    first, total = sa.sobol_indices(_ishigami, dists, n=2**14, seed=7)
    want_first, want_total = _ishigami_analytic()
    assert first.shape == total.shape == (1, 3)
    np.testing.assert_allclose(first[0], want_first, atol=0.02)
    np.testing.assert_allclose(total[0], want_total, atol=0.02)


def test_sobol_wrapper_keeps_outputs_apart():
    """Several outputs at once come back one row each, in order (here: Ishigami, then x1 alone)."""
    dists = [scipy.stats.uniform(-np.pi, 2 * np.pi)] * 3
    first, total = sa.sobol_indices(
        lambda x: np.stack([_ishigami(x), x[0]]), dists, n=2**12, seed=1
    )
    assert first.shape == (2, 3)
    np.testing.assert_allclose(first[1], [1, 0, 0], atol=1e-9)
    np.testing.assert_allclose(total[1], [1, 0, 0], atol=1e-9)
    np.testing.assert_allclose(first[0], _ishigami_analytic()[0], atol=0.04)


def test_project_sobol_goes_through_the_wrapper_at_n_and_2n(sample, monkeypatch):
    calls = []
    real = sa.sobol_indices

    def spy(func, dists, n, seed):
        calls.append(n)
        return real(func, dists, n, seed)

    monkeypatch.setattr(sa_sobol, "sobol_indices", spy)
    table = sa.sobol(sample, 64)
    assert calls == [64, 128]
    assert set(table["n"]) == {64, 128}
    assert list(table.columns) == ["input", "n", "S1", "ST"]


def test_sobol_of_the_sample_month(sample):
    table = sa.sobol(sample, 256)
    inputs = table.loc[table["n"] == 512].set_index("input")
    # the sample month varies the weights, the cut-offs and the indicator set
    assert {"cutoff_shift", "left_out", "weight_safety_production"} <= set(inputs.index)
    # cut-offs move colours, never ranks
    assert inputs.loc["cutoff_shift", "ST"] == pytest.approx(0, abs=1e-12)
    assert (inputs["ST"] >= -1e-9).all() and (inputs["ST"] <= 1.2).all()
    # leaving an indicator out moves ranks more than any single weight's wobble
    weights = inputs.loc[inputs.index.str.startswith("weight_"), "ST"]
    assert inputs.loc["left_out", "ST"] > weights.max()
    # colours do respond to the cut-offs
    colours = sa.sobol(sample, 256, output="band_change").query("n == 512").set_index("input")
    assert colours.loc["cutoff_shift", "ST"] > 0.3


def test_sobol_per_station_scores(sample):
    table = sa.sobol(sample, 64, output="score")
    assert set(table["station_id"]) == set(sample.data.stations.index)
    assert len(table) == 2 * 60 * 12  # two sizes, 60 stations, 10 weights + cut-off + left out
    # a station's score does not depend on the cut-offs
    assert np.allclose(table.loc[table["input"] == "cutoff_shift", ["S1", "ST"]], 0)


def test_sobol_refuses_unknown_output(sample):
    with pytest.raises(ValueError, match="output"):
        sa.sobol(sample, 64, output="colour")


# -- Monte Carlo ------------------------------------------------------------------------------


def test_monte_carlo_is_reproducible_by_seed(sample):
    a = sa.monte_carlo(sample, samples=500, seed=11)
    b = sa.monte_carlo(sample, samples=500, seed=11)
    c = sa.monte_carlo(sample, samples=500, seed=12)
    for field in ("uniforms", "scores", "ranks", "bands"):  # and the weights below
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    np.testing.assert_array_equal(a.draws.weights, b.draws.weights)
    assert not np.array_equal(a.ranks, c.ranks)
    assert not np.array_equal(a.draws.weights, c.draws.weights)


def test_default_seed_and_samples_come_from_the_parameters(sample):
    mc = sa.monte_carlo(sample, samples=100)
    assert mc.seed == sample.params.sensitivity.seed
    np.testing.assert_array_equal(mc.ranks, sa.monte_carlo(sample, samples=100, seed=mc.seed).ranks)


def test_chunking_does_not_change_the_result(sample, monkeypatch):
    whole = sa.monte_carlo(sample, samples=300, seed=5)
    monkeypatch.setattr(sa_draws, "CHUNK_CELLS", 60 * 10 * 7)  # seven samples at a time
    chunked = sa.monte_carlo(sample, samples=300, seed=5)
    np.testing.assert_array_equal(whole.ranks, chunked.ranks)
    np.testing.assert_array_equal(whole.bands, chunked.bands)


def test_colour_probabilities_sum_to_one_for_every_station(sample_mc):
    table = sa.station_uncertainty(sample_mc)
    assert len(table) == 60
    probs = table[[f"p_{b}" for b in BANDS]]
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-12)
    assert ((probs >= 0) & (probs <= 1)).all().all()
    np.testing.assert_allclose(table["p_changed"], 1 - table["p_published"])
    assert (table["rank_p05"] <= table["median_rank"]).all()
    assert (table["median_rank"] <= table["rank_p95"]).all()
    assert table["rank_p05"].min() >= 1 and table["rank_p95"].max() <= 60


def test_station_table_matches_direct_counts(sample, sample_mc):
    table = sa.station_uncertainty(sample_mc).set_index("station_id")
    ids = sample.data.stations.index
    t = sample.period_index
    i = 17  # any station: recount by hand
    sid = ids[i]
    colours = sample_mc.bands[:, i]
    for b, name in enumerate(BANDS):
        assert table.loc[sid, f"p_{name}"] == pytest.approx(np.mean(colours == b))
    assert table.loc[sid, "band"] == BANDS[sample.band[t, i]]
    assert table.loc[sid, "median_rank"] == pytest.approx(np.median(sample_mc.ranks[:, i]))
    # best published rank first, as in the scores table
    assert list(table.index) == list(sample.table()["station_id"])


def test_stable_share_counts_stations_at_the_threshold(sample_mc):
    table = sa.station_uncertainty(sample_mc)
    assert sa.stable_share(sample_mc) == pytest.approx(np.mean(table["p_published"] >= 0.9))
    assert sa.stable_share(sample_mc, threshold=0.0) == 1.0
    assert sa.stable_share(sample_mc, threshold=0.5) >= sa.stable_share(sample_mc, threshold=0.9)


@pytest.mark.parametrize(
    "name", ["two-level", "geometric", "quantiles", "audit", "scheme-draw", "pca"]
)
def test_vectorised_samples_equal_rescoring_each_one(name):
    """The independent reference: ``score`` re-run on parameters changed to a sample's inputs."""
    result = _scored(SCHEMES / f"{name}.yaml")
    mc = sa.monte_carlo(result, samples=40, seed=3)
    t = result.period_index
    for k in range(0, 40, 4):
        again = sa.rescore_sample(mc, k)
        np.testing.assert_array_equal(again.rank[t], mc.ranks[k])
        np.testing.assert_array_equal(again.band[t], mc.bands[k])
        np.testing.assert_allclose(again.composite[t], mc.scores[k], atol=1e-4)


def test_discrete_inputs_are_drawn_evenly():
    result = _scored(SCHEMES / "audit.yaml")
    mc = sa.monte_carlo(result, samples=8800, seed=1)
    n = len(result.params.indicator_keys)
    inputs = mc.inputs()
    assert mc.normalisations == ("goalposts", "minmax", "zscore", "rank")
    np.testing.assert_allclose(
        inputs["normalisation"].value_counts(normalize=True), 0.25, atol=0.02
    )
    np.testing.assert_allclose(inputs["aggregation"].value_counts(normalize=True), 0.5, atol=0.02)
    left = inputs["left_out"].value_counts(normalize=True)
    assert len(left) == n + 1 and "" in left.index  # each indicator, or none
    np.testing.assert_allclose(left, 1 / (n + 1), atol=0.015)
    # the left-out indicator weighs nothing; every sample's weights sum to 1
    rows = np.flatnonzero(mc.draws.left_out >= 0)
    assert np.all(mc.draws.weights[rows, mc.draws.left_out[rows]] == 0)
    np.testing.assert_allclose(mc.draws.weights.sum(axis=1), 1.0)
    assert np.all(np.abs(mc.draws.cutoff_shift) <= 2.0)
    assert mc.draws.cutoff_shift.min() < -1.9 and mc.draws.cutoff_shift.max() > 1.9


def test_dirichlet_weights_have_the_declared_mean_and_spread(tmp_path):
    """Dirichlet(c w): mean w, and a weight of 1/I has coefficient of variation ``spread``."""
    path = _variant(
        tmp_path,
        {
            "extends": str(SAMPLE),
            "weights_scheme": "equal",
            "sensitivity": {"leave_one_out": False, "weights": {"spread": 0.3}},
        },
    )
    mc = sa.monte_carlo(_scored(path), samples=20_000, seed=2)
    w = mc.draws.weights
    np.testing.assert_allclose(w.mean(axis=0), 0.1, rtol=0.02)
    np.testing.assert_allclose(w.std(axis=0) / w.mean(axis=0), 0.3, rtol=0.05)


def test_scheme_draw_uses_each_schemes_weights():
    result = _scored(SCHEMES / "scheme-draw.yaml")
    mc = sa.monte_carlo(result, samples=600, seed=4)
    inputs = mc.inputs()
    assert set(inputs["weights_scheme"]) == {"given", "equal", "entropy", "critic", "pca", "ahp"}
    none_left = np.flatnonzero(
        (mc.draws.left_out < 0)
        & (inputs["normalisation"] == "goalposts")
        & (inputs["weights_scheme"] == "equal")
    )
    np.testing.assert_allclose(mc.draws.weights[none_left], 0.1)


def test_scheme_draw_needs_an_ahp_matrix_when_ahp_is_listed(tmp_path):
    path = _variant(
        tmp_path,
        {"extends": str(SAMPLE), "sensitivity": {"weights": {"schemes": ["equal", "ahp"]}}},
    )
    with pytest.raises(InputError, match="ahp"):
        sa.monte_carlo(_scored(path), samples=20)


def test_sobol_samples_must_be_a_power_of_two(tmp_path):
    path = _variant(tmp_path, {"extends": str(SAMPLE), "sensitivity": {"sobol_samples": 1000}})
    with pytest.raises(InputError, match=r"sensitivity\.sobol_samples: must be a power of 2"):
        load_params(path)


# -- cut-offs ---------------------------------------------------------------------------------


def _bumped_bands(result, delta: np.ndarray) -> np.ndarray:
    """Band of each station i when only its own score moves by delta[i] (all at once, (S, S))."""
    t = result.period_index
    composite = np.broadcast_to(result.composite[t], (delta.size, delta.size)).copy()
    composite[np.diag_indices(delta.size)] += delta
    return np.diagonal(bandmod.assign(composite, result.params.bands))


@pytest.mark.parametrize("path", [SAMPLE, SCHEMES / "quantiles.yaml"])
def test_cutoff_distances_are_where_the_colour_changes(path):
    result = _scored(path)
    t = result.period_index
    table = sa.cutoff_distances(result).set_index("station_id").loc[result.data.stations.index]
    band = result.band[t]
    up = table["distance_up"].to_numpy()
    down = table["distance_down"].to_numpy()
    assert np.isnan(up[band == 0]).all() and np.isnan(down[band == 4]).all()
    has_up, has_down = ~np.isnan(up), ~np.isnan(down)
    eps = 1e-4
    # a little more than the distance up moves the station up; a little less does not
    assert (_bumped_bands(result, np.where(has_up, up + eps, 0))[has_up] < band[has_up]).all()
    assert (
        _bumped_bands(result, np.where(has_up, up - eps, 0))[has_up & (up > eps)]
        == band[has_up & (up > eps)]
    ).all()
    # losing more than the distance down moves it down
    assert (
        _bumped_bands(result, np.where(has_down, -down - eps, 0))[has_down] > band[has_down]
    ).all()
    assert (table.loc[has_up, "next_up"].map(BANDS.index).to_numpy() == band[has_up] - 1).all()


def test_cutoff_distance_worked_example(sample):
    table = sa.cutoff_distances(sample).set_index("station_id")
    row = table.iloc[7]  # an orange station: red needs 90, orange holds from 85
    assert row["band"] == "orange"
    assert row["distance_up"] == pytest.approx(90 - row["score"], abs=1e-6)
    assert row["distance_down"] == pytest.approx(row["score"] - 85, abs=1e-6)


@pytest.mark.parametrize("path", [SAMPLE, SCHEMES / "quantiles.yaml"])
def test_cutoff_shift_counts_equal_rescoring(path):
    result = _scored(path)
    t = result.period_index
    counts = sa.cutoff_shift_counts(result, shifts=[-3, 0, 2])
    assert list(counts.columns) == ["red", "orange", "blue", "green", "all"]
    assert (counts.loc[0] == 0).all()
    b = result.params.bands
    for shift, column in [(-3, "orange"), (2, "red"), (2, "all"), (-3, "green")]:
        j = None if column == "all" else BANDS.index(column)
        move = np.array([shift if j in (None, i) else 0 for i in range(4)], dtype=float)
        bands = {
            "method": b.method,
            "cutoffs": list(np.array(b.cutoffs) + move),
            "quantiles": list(np.array(b.quantiles) + move / 100),
        }
        again = score(result.data, result.params.replace(bands=bands))
        assert counts.loc[shift, column] == np.sum(again.band[t] != result.band[t])


# -- indicators and schemes -------------------------------------------------------------------


def test_indicator_influence_is_normalised_pearson_r2(sample):
    table = sa.indicator_influence(sample)
    t = sample.period_index
    for i, key in enumerate(sample.params.indicator_keys):
        r = scipy.stats.pearsonr(sample.normalised[t, :, i], sample.composite[t]).statistic
        assert table.loc[key, "pearson_r"] == pytest.approx(r, abs=1e-12)
    assert table["effective_weight"].sum() == pytest.approx(1.0)
    np.testing.assert_allclose(table["nominal_weight"], sample.weights.effective)
    np.testing.assert_allclose(table["ratio"], table["effective_weight"] / table["nominal_weight"])


def test_leave_one_out_equals_rescoring_without_the_indicator(sample):
    table = sa.leave_one_out(sample)
    t = sample.period_index
    key = "line_loss"
    indicators = {
        k: {**s.model_dump(), "weight": 0.0 if k == key else s.weight}
        for k, s in sample.params.indicators.items()
    }
    again = score(sample.data, sample.params.replace(indicators=indicators))
    shift = np.abs(again.rank[t] - sample.rank[t])
    assert table.loc[key, "mean_abs_rank_shift"] == pytest.approx(shift.mean())
    assert table.loc[key, "max_abs_rank_shift"] == shift.max()
    assert table.loc[key, "band_changes"] == np.sum(again.band[t] != sample.band[t])


def test_scheme_rankings_equal_scoring_under_each_scheme():
    result = _scored(SCHEMES / "ahp.yaml")
    ranks = sa.scheme_rankings(result)
    t = result.period_index
    assert list(ranks.columns) == ["given", "equal", "entropy", "critic", "pca", "ahp"]
    for scheme in ("ahp", "entropy", "given"):
        again = score(result.data, result.params.replace(weights_scheme=scheme))
        np.testing.assert_array_equal(ranks[scheme].to_numpy(), again.rank[t])


def test_scheme_rank_correlations_against_the_textbook_formulas():
    result = _scored(SCHEMES / "ahp.yaml")
    ranks = sa.scheme_rankings(result)
    spearman, kendall = sa.scheme_rank_correlations(result)
    np.testing.assert_allclose(np.diag(spearman), 1.0)
    np.testing.assert_allclose(spearman, spearman.T)
    x, y = ranks["given"].to_numpy(), ranks["entropy"].to_numpy()
    n = x.size
    rho = 1 - 6 * np.sum((x - y) ** 2) / (n * (n**2 - 1))  # ranks without ties
    assert spearman.loc["given", "entropy"] == pytest.approx(rho)
    sign = np.sign(x[:, None] - x[None, :]) * np.sign(y[:, None] - y[None, :])
    tau = sign[np.triu_indices(n, 1)].sum() / (n * (n - 1) / 2)
    assert kendall.loc["given", "entropy"] == pytest.approx(tau)


def test_scheme_weights_table(sample):
    table = sa.scheme_weights(sample.params, sa.normalised_month(sample.params, sample.data))
    assert list(table.index) == ["given", "equal", "entropy", "critic", "pca"]
    np.testing.assert_allclose(
        table.loc["given", list(sample.params.indicator_keys)], sample.weights.effective
    )
    np.testing.assert_allclose(table[list(sample.params.indicator_keys)].sum(axis=1), 1.0)


def _inconsistent_ahp(tmp_path: Path) -> Path:
    """Reciprocal but cyclic judgements (a > b > c > a) on three indicators: CR far above 0.1."""
    keys = list(
        yaml.safe_load((REPO / "params" / "default.yaml").read_text(encoding="utf-8"))["indicators"]
    )
    m = np.ones((len(keys), len(keys)))
    m[0, 1], m[1, 2], m[2, 0] = 9, 9, 9
    m[1, 0], m[2, 1], m[0, 2] = 1 / 9, 1 / 9, 1 / 9
    return _variant(
        tmp_path, {"extends": str(SAMPLE), "ahp": {"order": keys, "matrix": m.tolist()}}
    )


def test_inconsistent_ahp_matrix_is_an_input_error(tmp_path):
    params = load_params(_inconsistent_ahp(tmp_path))
    with pytest.raises(InputError, match=r"ahp\.matrix: consistency ratio"):
        sa.scheme_weights(params, sa.normalised_month(params, load_data(params)))


# -- the commands -----------------------------------------------------------------------------


def test_weights_command_prints_every_scheme(run_cli):
    code, out, err = run_cli("weights", "--params", SAMPLE, "--scheme", SCHEMES / "ahp.yaml")
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out), index_col="scheme")
    keys = list(load_params(SAMPLE).indicator_keys)
    assert list(table.columns) == [*keys, "consistency_ratio"]
    assert list(table.index) == ["given", "equal", "entropy", "critic", "pca", "ahp"]
    np.testing.assert_allclose(table[keys].sum(axis=1), 1.0, atol=1e-5)
    assert table.loc["ahp", "consistency_ratio"] == pytest.approx(0.0083, abs=1e-4)
    assert table["consistency_ratio"].drop("ahp").isna().all()


def test_weights_command_refuses_an_inconsistent_matrix(run_cli, tmp_path):
    code, out, err = run_cli("weights", "--params", _inconsistent_ahp(tmp_path))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "ahp.matrix" in err and "consistency ratio" in err


def test_weights_command_refuses_a_matrix_that_is_not_reciprocal(run_cli, tmp_path):
    doc = yaml.safe_load((SCHEMES / "ahp.yaml").read_text(encoding="utf-8"))
    doc["extends"] = str(SAMPLE)
    doc["ahp"]["matrix"][0][1] = 5  # row 1 still says 0.5
    code, out, err = run_cli("weights", "--params", _variant(tmp_path, doc))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "ahp.matrix" in err and "not reciprocal" in err
    code, out, err = run_cli(
        "sensitivity", "--params", tmp_path / "variant.yaml", "--samples", "20"
    )
    assert code == 2 and "ahp.matrix" in err


def test_sensitivity_command_writes_the_station_table(run_cli, tmp_path):
    code, out, err = run_cli("sensitivity", "--params", SAMPLE, "--samples", "300")
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out))
    assert tuple(table.columns) == sa.STATION_COLUMNS
    assert len(table) == 60
    np.testing.assert_allclose(table[[f"p_{b}" for b in BANDS]].sum(axis=1), 1.0, atol=1e-3)
    target = tmp_path / "out" / "sensitivity.csv"
    code, out2, err = run_cli(
        "sensitivity", "--params", SAMPLE, "--samples", "300", "--out", target
    )
    assert code == 0 and out2 == ""
    assert target.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("utf-8") == out
    assert "wrote" in err and "90%" in err


def test_sensitivity_command_period_and_usage(run_cli):
    code, out, _ = run_cli(
        "sensitivity", "--params", SAMPLE, "--period", "2020-04", "--samples", "50"
    )
    assert code == 0
    t4 = pd.read_csv(io.StringIO(out))
    params = load_params(SAMPLE, period="2020-04")
    expected = score(load_data(params), params).table()["station_id"]
    assert list(t4["station_id"]) == list(expected)
    for bad in ("0", "-3", "many"):
        code, out, err = run_cli("sensitivity", "--params", SAMPLE, "--samples", bad)
        assert code == 2 and out == "" and err.count("\n") == 1


def test_inverse_cdf_weights_of_the_sobol_design_are_the_same_dirichlet(tmp_path):
    """The Sobol design maps uniforms to weights by the Gamma inverse CDF: same moments."""
    path = _variant(tmp_path, {"extends": str(SAMPLE), "sensitivity": {"leave_one_out": False}})
    result = _scored(path)
    model = sa_draws._model(result)
    u = np.random.default_rng(8).random((20_000, len(model.dims)))
    by_inverse = sa_draws._decode(model, u).weights
    by_gamma = sa_draws._decode(model, u, np.random.default_rng(9)).weights
    centre = result.weights.effective
    np.testing.assert_allclose(by_inverse.mean(axis=0), centre, rtol=0.02)
    np.testing.assert_allclose(by_gamma.mean(axis=0), centre, rtol=0.02)
    c = model.concentration  # Dirichlet variance w (1 - w) / (c + 1)
    np.testing.assert_allclose(by_inverse.var(axis=0), centre * (1 - centre) / (c + 1), rtol=0.06)
    np.testing.assert_allclose(by_gamma.var(axis=0), centre * (1 - centre) / (c + 1), rtol=0.06)


def test_rank_percentiles_equal_numpy_linear_percentiles():
    rng = np.random.default_rng(3)
    ranks = np.argsort(rng.random((999, 40)), axis=1).astype(np.float32) + 1
    got = sa_uncertainty._rank_percentiles(ranks, (0.05, 0.5, 0.95, 0.33))
    np.testing.assert_allclose(got, np.percentile(ranks, [5, 50, 95, 33], axis=0))
    ranks[:7, 4] = np.nan  # a station unscored in a few samples: percentiles of the rest
    got = sa_uncertainty._rank_percentiles(ranks, (0.05, 0.5))
    np.testing.assert_allclose(got[:, 4], np.percentile(ranks[7:, 4], [5, 50]))


def test_a_malformed_ahp_matrix_stops_score_with_one_line(tmp_path, capsys):
    import yaml

    from fivecolor.cli import main

    root = Path(__file__).resolve().parents[1]
    doc = yaml.safe_load((root / "params" / "schemes" / "ahp.yaml").read_text(encoding="utf-8"))
    doc["ahp"]["matrix"][9][8] = 3  # no longer the reciprocal of a[8][9]
    doc["extends"] = str(root / "params" / "2020-05.yaml")
    bad = tmp_path / "ahp.yaml"
    bad.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    code = main(["score", "--params", str(bad), "--out", str(tmp_path / "s.csv")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "ahp.matrix" in err[0] and "reciprocal" in err[0]
    assert not (tmp_path / "s.csv").exists()
