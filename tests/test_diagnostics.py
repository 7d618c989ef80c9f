"""The Handbook's diagnostics and the winsorising step, against hand-worked cases and
independent library routines."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats
from scipy.stats import mstats

from fivecolor import load_data, load_params, score
from fivecolor.analysis.diagnostics import cronbach_alpha, diagnostics
from fivecolor.scoring.treat import winsorise

from conftest import REPO

MAY = REPO / "params" / "2020-05.yaml"

#: Three items answered by five respondents, worked by hand:
#: item variances (n - 1) 0.7, 0.8, 0.7 (sum 2.2); totals 10, 9, 13, 8, 12 with variance 4.3;
#: alpha = 3/2 * (1 - 2.2 / 4.3) = 0.732558...
ITEMS = np.array([[3, 4, 3], [2, 3, 4], [4, 4, 5], [3, 2, 3], [4, 4, 4]], dtype=float)


def test_cronbach_alpha_of_a_hand_worked_example():
    assert cronbach_alpha(ITEMS) == pytest.approx(1.5 * (1 - 2.2 / 4.3), abs=1e-12)
    assert cronbach_alpha(ITEMS) == pytest.approx(0.732558, abs=1e-6)


def test_cronbach_alpha_of_equal_variances_and_covariances_is_the_spearman_brown_form():
    """With k items of variance v and covariance c, alpha = k c / (v + (k - 1) c) (Cronbach
    1951, Psychometrika 16(3); the standardised form in Nunnally & Bernstein 1994, Psychometric
    Theory, ch. 7). Built exactly: a shared factor plus orthogonal item noise."""
    rng = np.random.default_rng(1)
    n, k, c, v = 200, 4, 0.6, 1.0
    basis, _ = np.linalg.qr(rng.standard_normal((n, k + 1)))
    basis -= basis.mean(axis=0)  # centred columns,
    basis, _ = np.linalg.qr(basis)  # still orthonormal (and still centred)
    scale = np.sqrt(n - 1)
    items = scale * (np.sqrt(c) * basis[:, [0]] + np.sqrt(v - c) * basis[:, 1:])
    cov = np.cov(items, rowvar=False)
    np.testing.assert_allclose(np.diag(cov), v, atol=1e-9)
    np.testing.assert_allclose(cov[np.triu_indices(k, 1)], c, atol=1e-9)
    assert cronbach_alpha(items) == pytest.approx(k * c / (v + (k - 1) * c), abs=1e-9)


@pytest.fixture(scope="module")
def may():
    params = load_params(MAY)
    return score(load_data(params), params)


def test_correlations_against_scipy(may):
    found = diagnostics(may)
    t = may.period_index
    x = may.normalised[t]
    keys = list(may.params.indicator_keys)
    for i, j in [(0, 1), (2, 7), (4, 9)]:
        want = scipy.stats.pearsonr(x[:, i], x[:, j]).statistic
        assert found.correlations.loc[keys[i], keys[j]] == pytest.approx(want, abs=1e-12)
    for i, key in enumerate(keys):
        want = scipy.stats.pearsonr(x[:, i], may.composite[t]).statistic
        assert found.with_composite.loc[key, "r"] == pytest.approx(want, abs=1e-12)
    assert found.alpha == pytest.approx(cronbach_alpha(x))
    assert found.alpha_dropped["integrity_risk"] == pytest.approx(
        cronbach_alpha(np.delete(x, keys.index("integrity_risk"), axis=1))
    )
    # the components explain all the variance, largest first
    assert found.pca["explained"].sum() == pytest.approx(1.0)
    assert found.pca["eigenvalue"].sum() == pytest.approx(len(keys))
    assert found.pca["eigenvalue"].is_monotonic_decreasing


def test_an_indicator_against_the_composite_is_flagged(may):
    t = may.period_index
    flipped = may.normalised.copy()
    flipped[t, :, 0] = 100 - flipped[t, :, 0]  # runs against everything else
    from dataclasses import replace

    found = diagnostics(replace(may, normalised=flipped))
    assert found.with_composite.iloc[0]["flag"] == "negative"
    assert (found.with_composite.iloc[1:]["flag"] == "").all()


def test_skew_and_kurtosis_flag_an_outlier(may):
    t = may.period_index
    raw = may.filled.copy()
    raw[t, 0, 3] = raw[t, :, 3].mean() + 50 * raw[t, :, 3].std()  # one wild value
    from dataclasses import replace

    shape = diagnostics(replace(may, filled=raw)).shape
    key = may.params.indicator_keys[3]
    assert shape.loc[key, "skew"] == pytest.approx(scipy.stats.skew(raw[t, :, 3]))
    assert shape.loc[key, "outliers"] and shape["outliers"].sum() == 1


def test_winsorising_a_hand_worked_column():
    # ten values, 10 % at each end: the lowest (1) becomes the next lowest (3), the
    # highest (100) the next highest (9); NaN stays NaN and does not count
    column = np.array([5, 1, 3, 4, 100, 6, 7, 8, 9, 4.5, np.nan])
    out = winsorise(column[:, None], (0.1, 0.1))[:, 0]
    np.testing.assert_array_equal(out[:10], [5, 3, 3, 4, 9, 6, 7, 8, 9, 4.5])
    assert np.isnan(out[10])


def test_winsorising_equals_scipy_mstats_winsorize():
    rng = np.random.default_rng(3)
    x = rng.standard_t(2, size=(3, 60, 4))
    out = winsorise(x, (0.05, 0.1))
    for p in range(3):
        for i in range(4):
            want = mstats.winsorize(x[p, :, i], limits=(0.05, 0.1))
            np.testing.assert_array_equal(out[p, :, i], np.asarray(want))


def test_winsorising_is_off_by_default_and_recorded_when_on():
    params = load_params(MAY)
    assert not params.winsorise.enabled
    on = load_params(MAY, settings=["winsorise={enabled: true, limits: [0.05, 0.05]}"])
    assert on.model_dump(mode="json")["winsorise"] == {"enabled": True, "limits": [0.05, 0.05]}
    assert on.digest() != params.digest()  # the manifest's key changes with it
    data = load_data(on)
    plain, treated = score(data, params), score(data, on)
    t = plain.period_index
    assert not np.array_equal(plain.filled[t], treated.filled[t])
    np.testing.assert_array_equal(treated.filled[t], winsorise(data.values[t], (0.05, 0.05)))


def test_diagnostics_command(run_cli):
    code, out, err = run_cli("diagnostics", "--params", MAY)
    assert code == 0, err
    assert "Cronbach's alpha" in out and "principal components" in out
    code, out, err = run_cli("diagnostics", "--params", MAY, "--set", "winsorise.limits=[0.6, 0]")
    assert code == 2 and "winsorise.limits" in err
