"""The robustness page's colour-level parts: the lead sentences, the methods compared and
stable colours, checked against the analyses they present."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fivecolor import load_data, load_params, score
from fivecolor.analysis import sensitivity as sa
from fivecolor.analysis.compare import compare_methods
from fivecolor.analysis.stability import example_options, hysteresis_effect
from fivecolor.views import robustness

from conftest import REPO

MAY = REPO / "params" / "2020-05.yaml"


@pytest.fixture(scope="module")
def month():
    params = load_params(MAY, settings=["language=en"])
    return score(load_data(params), params)


def test_lead_sentences_count_kept_and_borderline_stations_and_name_the_top_choice(month):
    uncertainty = sa.station_uncertainty(sa.monte_carlo(month, samples=2000))
    indices = sa.colour_sobol(month, 64)
    kept, borderline, driver = robustness.lead_sentences(month, uncertainty, indices)
    p = uncertainty["p_published"].to_numpy()
    assert kept.startswith(f"{np.sum(p >= 0.9)} of 60 stations keep")
    assert borderline.startswith(f"{np.sum(p < 2 / 3)} are borderline")
    top = indices.query("output == 'colour_changes' and n == 128").set_index("input")["ST"]
    assert top.idxmax() == "cutoff_shift" and "Cut-off shift" in driver


def test_methods_table_matches_each_comparison(month):
    methods = compare_methods(month)
    names = [m.name for m in methods]
    assert names == ["equal", "entropy", "critic", "pca", "geometric"]
    table = robustness.methods_table(month, methods).set_index("Method")
    entropy = score(month.data, month.params.replace(weights_scheme="entropy"))
    t = month.period_index
    assert table.loc["Entropy", "Stations changing colour"] == np.sum(
        entropy.band[t] != month.band[t]
    )
    assert table.loc["As published", "Stations changing colour"] == 0
    red = next(c for c in table.columns if c.startswith("Red"))
    assert table.loc["Entropy", red] == np.sum(entropy.band[t] == 0)
    warnings = robustness.weight_warnings(month, methods)
    assert len(warnings) == 1 and "Entropy" in warnings[0] and "33.7%" in warnings[0]


def test_hysteresis_table_rows_are_the_effects(month):
    options = example_options(month.params)
    effects = [(o, hysteresis_effect(month, o)) for o in options]
    table = robustness.hysteresis_table(month, effects)
    assert len(table) == 3
    assert (table["Changes without"] == effects[0][1].plain_changes).all()
    assert table["Changes with"].tolist() == [e.held_changes for _, e in effects]
    assert (table["Changes with"] < table["Changes without"]).all()
    assert isinstance(table, pd.DataFrame)


def test_the_published_scheme_is_warned_about_too():
    params = load_params(MAY, settings=["language=en", "weights_scheme=entropy"])
    entropy = score(load_data(params), params)
    warnings = robustness.weight_warnings(entropy, [])
    assert len(warnings) == 1 and "Entropy puts" in warnings[0] and "30%" in warnings[0]
