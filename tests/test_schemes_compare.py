"""Schemes for any month (``--scheme``, ``--set``) and ``fivecolor compare``, checked against
scoring the equivalent parameter files directly."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from fivecolor import load_data, load_params, score
from fivecolor.analysis.compare import compare, concentrated_weights, heavy_scheme_weights
from fivecolor.errors import InputError
from fivecolor.params.files import compose_params_file

from conftest import REPO, write_yaml

MAY = REPO / "params" / "2020-05.yaml"
SCHEMES = REPO / "params" / "schemes"


def _scored(params):
    return score(load_data(params), params)


def test_every_scheme_file_states_method_keys_only():
    for path in SCHEMES.glob("*.yaml"):
        params = load_params(MAY, period="2020-04", scheme=path)
        assert params.period == "2020-04"  # the month comes from --params, for any month


def test_a_scheme_equals_a_file_extending_the_month(tmp_path):
    written = write_yaml(
        {"extends": str(MAY), "weights_scheme": "entropy", "period": "2020-04"},
        tmp_path / "entropy-april.yaml",
    )
    direct = load_params(written)
    by_scheme = load_params(MAY, period="2020-04", scheme=SCHEMES / "entropy.yaml")
    by_set = load_params(MAY, period="2020-04", settings=["weights_scheme=entropy"])
    assert by_scheme.digest() == direct.digest() == by_set.digest()


def test_set_reads_dotted_keys_and_yaml_values():
    params = load_params(
        MAY, settings=["bands.cutoffs=[91, 86, 81, 76]", "indicators.line_loss.weight=20"]
    )
    assert params.bands.cutoffs == (91, 86, 81, 76)
    assert params.indicators["line_loss"].weight == 20
    assert (
        params.indicators["line_loss"].direction
        == load_params(MAY).indicators["line_loss"].direction
    )  # merged, not replaced


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ("weights_schem=entropy", "did you mean weights_scheme"),
        ("bands.cutoffs=[1, 2, 3, 4]", "strictly decreasing"),
        ("no-equals-sign", "KEY=VALUE"),
        ("aggregation=[unclosed", "not YAML"),
    ],
)
def test_a_bad_setting_is_one_line_and_exit_2(run_cli, setting, said):
    code, out, err = run_cli("score", "--params", MAY, "--set", setting)
    assert code == 2 and out == "" and err.count("\n") == 1 and said in err, err
    assert "--set" in err  # named as the setting, not as the parameter file


def test_a_scheme_naming_a_month_is_refused(tmp_path):
    bad = write_yaml({"weights_scheme": "pca", "period": "2020-04"}, tmp_path / "s.yaml")
    with pytest.raises(InputError, match="period: a scheme states method keys only"):
        load_params(MAY, scheme=bad)


def test_the_composed_file_reads_back_the_same_parameters(tmp_path):
    settings = ["sensitivity.samples=500"]
    path = compose_params_file(MAY, tmp_path, SCHEMES / "ahp.yaml", settings)
    again = load_params(path)
    assert (
        again.digest() == load_params(MAY, scheme=SCHEMES / "ahp.yaml", settings=settings).digest()
    )
    assert again.sources[1] == str(MAY.resolve())  # it extends the month's file
    assert compose_params_file(MAY, tmp_path) == MAY  # nothing to merge: the file itself


def test_compare_against_scoring_both_files_directly(run_cli):
    a = _scored(load_params(MAY))
    b = _scored(load_params(MAY, scheme=SCHEMES / "entropy.yaml"))
    ta, tb = a.table().set_index("station_id"), b.table().set_index("station_id")
    tb = tb.loc[ta.index]
    result = compare(a, b)
    colours = ["red", "orange", "blue", "green", "yellow"]
    crosstab = pd.crosstab(ta["band"], tb["band"]).reindex(
        index=colours, columns=colours, fill_value=0
    )
    for x in crosstab.index:
        for y in crosstab.columns:
            assert result.transition.loc[x, y] == crosstab.loc[x, y]
    moved = ta.index[ta["band"] != tb["band"]]
    assert result.changed == len(moved) and set(result.changes["station_id"]) == set(moved)
    assert (
        result.counts["b"].to_dict()
        == tb["band"].value_counts().reindex(result.counts.index, fill_value=0).to_dict()
    )
    assert result.spearman == pytest.approx(
        scipy.stats.spearmanr(ta["score"], tb["score"]).statistic, abs=1e-9
    )
    assert result.kendall == pytest.approx(
        scipy.stats.kendalltau(ta["score"], tb["score"]).statistic, abs=1e-9
    )
    code, out, err = run_cli("compare", MAY, SCHEMES / "entropy.yaml")
    assert code == 0, err
    assert f"{len(moved)} of 60 stations change colour" in out
    lines = out.splitlines()
    red_row = next(line for line in lines if line.startswith("red "))
    assert [int(v) for v in red_row.split()[1:]] == crosstab.loc["red"].tolist()
    assert "entropy puts" in err and "integrity_risk" in err


def test_weights_warn_when_a_data_driven_scheme_leans_on_one_indicator(run_cli):
    code, out, err = run_cli("weights", "--params", MAY)
    table = pd.read_csv(io.StringIO(out), index_col="scheme")
    share = table.loc["entropy", "integrity_risk"]
    assert share > 0.3 and f"entropy puts {share:.1%}" in err
    code, out, err = run_cli(
        "weights", "--params", MAY, "--set", "sensitivity.max_weight_share=0.5"
    )
    assert code == 0 and "warning" not in err
    heavy = heavy_scheme_weights(table, 0.3)
    assert set(heavy["scheme"]) <= {"entropy", "critic", "pca"}
    assert np.all(heavy["share"] > 0.3)


def test_concentrated_weights_only_for_data_driven_schemes():
    given = _scored(load_params(MAY))
    assert concentrated_weights(given).empty
    entropy = _scored(load_params(MAY, scheme=SCHEMES / "entropy.yaml"))
    heavy = concentrated_weights(entropy)
    assert list(heavy.index) == ["integrity_risk"]
    assert heavy.iloc[0] == pytest.approx(entropy.weights.effective[7])
