"""The overview's method box states the weights, normalisation, cut-offs, data and build time."""

from __future__ import annotations

from datetime import UTC, datetime

from fivecolor.data.dataset import load_data
from fivecolor.params import load_params
from fivecolor.scoring.pipeline import score
from fivecolor.views.method import method_box_html, method_facts, weight_shares

from conftest import Project

BUILT = datetime(2020, 6, 3, 9, 30, tzinfo=UTC)


def _scored(path):
    params = load_params(path)
    return score(load_data(params), params)


def test_weights_are_shares_of_the_score_that_add_up_to_100(tmp_path):
    project = Project(tmp_path)
    heavier = project.with_params(lambda d: d.update(indicators={"line_loss": {"weight": 20}}))
    params = load_params(heavier)
    given = {key: spec.weight for key, spec in params.indicators.items()}
    shares = dict(weight_shares(_scored(heavier)))
    assert abs(sum(shares.values()) - 100) < 1e-9
    # renormalised from the given weights, independently of the scoring code
    label = params.label(params.indicators["line_loss"].label)
    assert abs(shares[label] - 100 * 20 / sum(given.values())) < 1e-9


def test_the_box_names_method_cutoffs_data_and_time_in_the_report_language(tmp_path):
    project = Project(tmp_path)
    facts = dict(method_facts(_scored(project.params_path), BUILT))
    values = " | ".join(facts.values())
    assert "红色（优秀） ≥ 90 > 橙色（较好） ≥ 85" in values and "黄色（落后） < 75" in values
    assert "目标值法" in values and "加权算术平均" in values
    assert "indicators.csv" in values and "stations.csv" in values
    assert "2020-06-03 09:30" in values
    english = project.with_params(
        lambda d: d.update(language="en", bands={"method": "quantiles"}), name="en.yaml"
    )
    facts = dict(method_facts(_scored(english), BUILT))
    assert "Colour cut-offs (score)" in facts
    assert facts["Colour cut-offs (score)"].startswith("Red (excellent): top 10%")


def test_the_box_escapes_what_it_shows(tmp_path):
    project = Project(tmp_path)
    evil = project.with_params(
        lambda d: d.update(indicators={"line_loss": {"label": {"zh": "<b>线损</b>", "en": "x"}}}),
        name="evil.yaml",
    )
    page = method_box_html(_scored(evil), BUILT)
    assert "<b>线损</b>" not in page and "&lt;b&gt;线损&lt;/b&gt;" in page
