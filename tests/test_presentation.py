"""Presentation of the robustness analysis and the actions: localised tables, charts that render
offline, and the three notebooks (thin, parameterised, executable under Papermill)."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
import scipy.stats
import vl_convert as vlc

from fivecolor import load_data, load_params, score
from fivecolor.analysis import actions, partners, sensitivity
from fivecolor.analysis.projects import project_progress
from fivecolor.data.projects import load_projects
from fivecolor.views import action_tables, one_station, robustness, theme
from fivecolor.views.text import BAND_LABELS, BANDS, TEXT, text

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SAMPLE_PARAMS = ROOT / "params" / "2020-05.yaml"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
GRADES = {lang: [BAND_LABELS[b][lang] for b in BANDS] for lang in ("zh", "en")}
MEILIN = (
    "meilin"  # 梅林供电所: yellow in April, green in May 2020, paired with 黄坛供电所 (huangtan)
)
SAMPLES = 2000


@pytest.fixture(scope="module")
def results():
    params = load_params(SAMPLE_PARAMS)
    data = load_data(params)
    return {"zh": score(data, params), "en": score(data, params.replace(language="en"))}


@pytest.fixture(scope="module")
def analyses(results):
    """Every analysis frame once (language-independent: computed on the zh result)."""
    result = results["zh"]
    mc = sensitivity.monte_carlo(result, SAMPLES)
    spearman, kendall = sensitivity.scheme_rank_correlations(result)
    return {
        "mc": mc,
        "uncertainty": sensitivity.station_uncertainty(mc),
        "sobol": sensitivity.sobol(result, 64),
        "colour_sobol": sensitivity.colour_sobol(result, 64),
        "shifts": sensitivity.cutoff_shift_counts(result),
        "distances": sensitivity.cutoff_distances(result),
        "weights": sensitivity.scheme_weights(
            result.params, sensitivity.normalised_month(result.params, result.data)
        ),
        "spearman": spearman,
        "kendall": kendall,
        "influence": sensitivity.indicator_influence(result),
        "loo": sensitivity.leave_one_out(result),
        "next": actions.next_colour(result),
        "pairs": partners.pairing(result),
        "departments": actions.department_help(result),
        "projects": project_progress(result, load_projects(result.params, result.data.station_ids)),
        "stages": actions.stage_progress(result),
    }


TABLES = {
    "uncertainty": lambda r, a: robustness.uncertainty_table(r, a["uncertainty"]),
    "station_probability": lambda r, a: one_station.station_probability_table(
        r, a["uncertainty"], MEILIN
    ),
    "sobol": lambda r, a: robustness.sobol_table(r, a["sobol"]),
    "cutoff_shift": lambda r, a: robustness.cutoff_shift_table(r, a["shifts"]),
    "cutoff_distance": lambda r, a: robustness.cutoff_distance_table(r, a["distances"]),
    "scheme_weights": lambda r, a: robustness.scheme_weights_table(r, a["weights"]),
    "correlation": lambda r, a: robustness.correlation_table(r, a["spearman"], a["kendall"]),
    "influence": lambda r, a: robustness.influence_table(r, a["influence"], a["loo"]),
    "next_colour": lambda r, a: action_tables.next_colour_table(r, a["next"]),
    "next_colour_meilin": lambda r, a: action_tables.next_colour_table(r, a["next"], MEILIN),
    "pairing": lambda r, a: action_tables.pairing_table(r, a["pairs"]),
    "pairing_meilin": lambda r, a: action_tables.pairing_table(r, a["pairs"], MEILIN),
    "department": lambda r, a: action_tables.department_table(r, a["departments"]),
    "department_meilin": lambda r, a: action_tables.department_table(r, a["departments"], MEILIN),
    "projects": lambda r, a: action_tables.projects_table(r, a["projects"]),
    "stage": lambda r, a: action_tables.stage_table(r, a["stages"]),
}
#: Header key of each table's grade column(s), where it has one.
BAND_COLUMNS = {
    "uncertainty": ["table.band"],
    "station_probability": ["table.band"],
    "cutoff_distance": ["table.band", "sens.next_up", "sens.next_down"],
    "next_colour": ["action.reaches"],
    "department": ["table.band"],
}


# --------------------------------------------------------------------------- every table
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(TABLES))
def test_tables_are_localised_and_name_grades_with_their_grade(results, analyses, name, lang):
    table = TABLES[name](results[lang], analyses)
    assert len(table) > 0 and table.columns.is_unique
    headers = " ".join(map(str, table.columns))
    if lang == "en":
        assert not CJK.search(headers), headers
    else:
        assert CJK.search(headers), headers
    for key in BAND_COLUMNS.get(name, []):
        values = set(table[text(key, lang)]) - {""}
        assert values and values <= set(GRADES[lang]), (key, values)


def test_uncertainty_table_percentages_match_the_samples(results, analyses):
    mc = analyses["mc"]
    for lang in ("zh", "en"):
        table = robustness.uncertainty_table(results[lang], analyses["uncertainty"])
        columns = [text("sens.probability_of", lang, band=g) for g in GRADES[lang]]
        assert len(table) == 60
        assert table[columns].sum(axis=1).to_numpy() == pytest.approx(100.0, abs=0.3)
        assert table[text("sens.published_rank", lang)].tolist() == list(range(1, 61))
    # an independent count for meilin, straight from the sampled bands
    result = results["zh"]
    s = result.data.station_ids.get_loc(MEILIN)
    counted = np.array([np.mean(mc.bands[:, s] == k) for k in range(5)]) * 100
    row = table.set_index(text("table.station", "en")).loc["Meilin station"]
    assert row[columns].to_numpy(dtype=float) == pytest.approx(np.round(counted, 1))
    assert row[text("sens.p_published", "en")] == pytest.approx(
        round(counted[3], 1)
    )  # green, the published grade
    assert row[text("table.band", "en")] == "Green (slightly poor)"


def test_station_probability_table_and_sentence_for_meilin(results, analyses):
    mc = analyses["mc"]
    s = results["zh"].data.station_ids.get_loc(MEILIN)
    green = np.mean(mc.bands[:, s] == 3)
    table = one_station.station_probability_table(results["zh"], analyses["uncertainty"], MEILIN)
    assert table["颜色等级"].tolist() == GRADES["zh"]
    assert table["概率"].iloc[3] == f"{green * 100:.1f}%"
    sentence = one_station.published_probability_text(
        results["zh"], analyses["uncertainty"], MEILIN
    )
    assert f"绿色（稍差）的概率：{green:.0%}" in sentence
    english = one_station.published_probability_text(results["en"], analyses["uncertainty"], MEILIN)
    assert english.endswith(f"Green (slightly poor): {green:.0%}")
    with pytest.raises(KeyError):
        one_station.station_probability_table(results["zh"], analyses["uncertainty"], "nowhere")


def test_sobol_table_puts_n_and_2n_side_by_side_with_localised_inputs(results, analyses):
    sobol = analyses["sobol"]
    table = robustness.sobol_table(results["en"], sobol)
    assert list(table.columns) == [
        "Uncertain input",
        "First-order S1 (N=64)",
        "First-order S1 (N=128)",
        "Total-effect ST (N=64)",
        "Total-effect ST (N=128)",
    ]
    dims = list(dict.fromkeys(sobol["input"]))
    assert len(table) == len(dims)
    assert table["Uncertain input"].iloc[0] == "Weight of Safety production"
    assert {"Cut-off shift", "Left-out indicator"} <= set(table["Uncertain input"])
    left_out = sobol[(sobol["input"] == "left_out") & (sobol["n"] == 128)]
    row = table.set_index("Uncertain input").loc["Left-out indicator"]
    assert row["Total-effect ST (N=128)"] == pytest.approx(round(float(left_out["ST"].iloc[0]), 3))
    zh = robustness.sobol_table(results["zh"], sobol)
    assert zh.iloc[0, 0] == "安全生产指数的权重" and "剔除的指标" in set(zh.iloc[:, 0])
    assert not (
        np.signbit(zh.iloc[:, 1:].to_numpy(dtype=float))
        & (zh.iloc[:, 1:].to_numpy(dtype=float) == 0)
    ).any()


def test_cutoff_shift_table_counts_against_a_direct_recount(results, analyses):
    result = results["en"]
    table = robustness.cutoff_shift_table(result, analyses["shifts"]).set_index("Shift (points)")
    assert list(table.columns) == [
        "Red (excellent) cut-off (90)",
        "Orange (good) cut-off (85)",
        "Blue (medium) cut-off (80)",
        "Green (slightly poor) cut-off (75)",
        "All four cut-offs together",
    ]
    assert (table.loc[0.0] == 0).all()
    composite = result.composite[result.period_index]
    # red's cut-off raised to 92: red stations scoring below 92 turn orange
    assert table.loc[2.0, "Red (excellent) cut-off (90)"] == np.sum(
        (composite >= 90) & (composite < 92)
    )
    # the green cut-off lowered to 73: yellow stations scoring 73 or more turn green
    assert table.loc[-2.0, "Green (slightly poor) cut-off (75)"] == np.sum(
        (composite >= 73) & (composite < 75)
    )


def test_cutoff_distance_table_reads_points_to_the_neighbouring_cutoffs(results, analyses):
    result = results["zh"]
    table = robustness.cutoff_distance_table(result, analyses["distances"])
    row = table.set_index("供电所").loc["梅林供电所"]
    score_ = result.composite[result.period_index, result.data.station_ids.get_loc(MEILIN)]
    assert row["距上一等级（分）"] == pytest.approx(round(80 - score_, 2))
    assert row["高出下一等级（分）"] == pytest.approx(round(score_ - 75, 2))
    assert (row["上一等级"], row["下一等级"]) == ("蓝色（中等）", "黄色（落后）")
    assert table["排名"].tolist() == list(range(1, 61))


def test_scheme_weights_table_in_percent_with_a_consistency_ratio_column(results, analyses):
    result = results["en"]
    table = robustness.scheme_weights_table(result, analyses["weights"])
    assert table["Weighting scheme"].tolist()[:2] == ["Given weights", "Equal weights"]
    given = [spec.weight for spec in result.params.indicators.values()]
    labels = [result.params.label(spec.label) for spec in result.params.indicators.values()]
    assert table.loc[0, labels].to_numpy(dtype=float) == pytest.approx(
        np.array(given) / sum(given) * 100
    )
    assert table[labels].sum(axis=1).to_numpy() == pytest.approx(100.0, abs=0.6)
    assert table.columns[-1] == "Consistency ratio CR"


def test_scheme_weights_table_shows_the_ahp_consistency_ratio(results):
    result = results["zh"]
    weights = pd.DataFrame(
        {k: [0.5, 0.1] for k in result.params.indicator_keys}, index=["equal", "ahp"]
    )
    weights["consistency_ratio"] = [np.nan, 0.04321]
    table = robustness.scheme_weights_table(result, weights)
    assert table["赋权方法"].tolist() == ["等权重", "层次分析法"]
    assert np.isnan(table["一致性比率 CR"].iloc[0]) and table["一致性比率 CR"].iloc[1] == 0.043


def test_correlation_table_lists_each_pair_once_with_both_statistics(results, analyses):
    result = results["en"]
    table = robustness.correlation_table(result, analyses["spearman"], analyses["kendall"])
    n = len(analyses["spearman"])
    assert len(table) == n * (n - 1) // 2
    ranks = sensitivity.scheme_rankings(result).dropna()
    first = table.iloc[0]
    assert (first["Weighting scheme"], first["Compared with"]) == ("Given weights", "Equal weights")
    assert first["Spearman's ρ"] == pytest.approx(
        round(scipy.stats.spearmanr(ranks["given"], ranks["equal"]).statistic, 3)
    )
    assert first["Kendall's τ"] == pytest.approx(
        round(scipy.stats.kendalltau(ranks["given"], ranks["equal"]).statistic, 3)
    )
    assert list(robustness.correlation_table(result, analyses["spearman"]).columns) == [
        "Weighting scheme",
        "Compared with",
        "Spearman's ρ",
    ]


def test_influence_table_sets_effective_against_nominal_weights(results, analyses):
    result = results["en"]
    table = robustness.influence_table(result, analyses["influence"], analyses["loo"])
    assert table["Indicator"].tolist()[0] == "Safety production" and len(table) == 10
    assert table["Nominal weight (%)"].tolist()[:3] == [15.0, 12.0, 10.0]
    assert table["Effective weight (%)"].sum() == pytest.approx(100.0, abs=0.6)
    t = result.period_index
    r = np.corrcoef(result.normalised[t][:, 0], result.composite[t])[0, 1]
    assert table["Correlation r with the score"].iloc[0] == pytest.approx(round(r, 3))
    assert (
        table["Colour changes when left out"].tolist() == analyses["loo"]["band_changes"].tolist()
    )


def test_next_colour_table_for_meilin_reaches_blue_when_applied(results, analyses):
    result = results["en"]
    table = action_tables.next_colour_table(result, analyses["next"], MEILIN)
    assert len(table) >= 1 and table["Option"].tolist() == list(range(1, len(table) + 1))
    assert set(table["Reaches"]) == {"Blue (medium)"}
    # apply the first option's displayed value to meilin's month and score again, independently
    first = table.iloc[0]
    key = next(k for k, s in result.params.indicators.items() if s.label.en == first["Indicator"])
    values = result.data.values.copy()
    s, i = result.data.station_ids.get_loc(MEILIN), list(result.data.indicators).index(key)
    values[result.period_index, s, i] = float(first["Required"])
    lifted = score(dataclasses.replace(result.data, values=values), result.params)
    assert lifted.band[lifted.period_index, s] == BANDS.index("blue")
    assert "Station" in action_tables.next_colour_table(result, analyses["next"]).columns
    assert "Station" not in table.columns


def test_pairing_tables_name_meilins_mentor(results, analyses):
    zh = action_tables.pairing_table(results["zh"], analyses["pairs"], MEILIN)
    assert zh["结对供电所"].tolist() == ["黄坛供电所"] and zh["本所角色"].tolist() == ["受帮扶方"]
    assert zh["结对类型"].iloc[0] == "橙色（较好）帮绿色（稍差）"
    pair = analyses["pairs"].set_index("partner_id").loc[MEILIN]
    assert zh["距离（公里）"].iloc[0] == pytest.approx(round(pair["distance_km"], 1))
    en = action_tables.pairing_table(results["en"], analyses["pairs"], "huangtan")
    assert en["Paired with"].tolist() == ["Meilin station"] and en["Role"].tolist() == ["mentor"]
    assert not CJK.search(en["Indicators to work on"].iloc[0])
    everyone = action_tables.pairing_table(results["en"], analyses["pairs"])
    assert len(everyone) == len(analyses["pairs"])
    assert set(everyone["Pair"]) == {
        "Red (excellent) helps Yellow (lagging)",
        "Orange (good) helps Green (slightly poor)",
    }


def test_unpaired_table_gives_the_reason(results):
    frame = pd.DataFrame(
        {
            "status": ["unpaired: capacity exhausted", "unpaired: no orange station this month"],
            "partner_id": ["qiaotou", MEILIN],
            "mentor_band": ["red", "orange"],
            "partner_band": ["yellow", "green"],
        }
    )
    zh = action_tables.unpaired_table(results["zh"], frame)
    assert zh["原因"].tolist() == ["帮扶所均已满额", "本月没有橙色（较好）供电所"]
    en = action_tables.unpaired_table(results["en"], frame)
    assert en["Station"].tolist() == ["Qiaotou station", "Meilin station"]
    assert en["Colour grade"].tolist() == ["Yellow (lagging)", "Green (slightly poor)"]
    assert action_tables.unpaired_table(
        results["en"], partners.unpaired(results["en"])
    ).empty  # every partner paired


def test_department_table_is_grouped_by_department_in_the_parameters_order(results, analyses):
    result = results["zh"]
    table = action_tables.department_table(result, analyses["departments"])
    assert len(table) == len(analyses["departments"])
    order = [result.params.label(label) for label in result.params.departments.values()]
    seen = list(dict.fromkeys(table["责任部门"]))
    assert seen == [d for d in order if d in seen]  # each department once, in order: grouped
    for _, group in table.groupby(["责任部门", "指标"], sort=False):
        assert group["差距（分）"].is_monotonic_decreasing
    own = action_tables.department_table(result, analyses["departments"], MEILIN)
    assert len(own) == int((analyses["departments"]["station_id"] == MEILIN).sum()) > 0
    assert "供电所" not in own.columns


def test_projects_and_stage_tables(results, analyses):
    zh = action_tables.projects_table(results["zh"], analyses["projects"])
    assert len(zh) == len(analyses["projects"]) and set(zh["状态"]) <= {
        "已达标",
        "未达标",
        "未开始",
        "无数据",
    }
    en = action_tables.projects_table(results["en"], analyses["projects"], MEILIN)
    assert en["Status"].tolist() == ["met", "not met"] and "Station" not in en.columns
    assert action_tables.projects_table(results["en"], None).empty
    stages = action_tables.stage_table(results["en"], analyses["stages"])
    assert stages["Target share red (%)"].tolist() == [30.0, 60.0, 100.0]
    assert stages["Red stations needed"].tolist() == [18, 36, 60]
    assert set(stages["Met"]) == {"no"}


# --------------------------------------------------------------------------- charts
CHARTS = {
    "rank_intervals": lambda r, a: robustness.rank_intervals(r, a["uncertainty"]),
    "colour_probabilities": lambda r, a: robustness.colour_probabilities(r, a["uncertainty"]),
    "sobol_chart": lambda r, a: robustness.sobol_chart(r, a["sobol"]),
    "cutoff_shift_chart": lambda r, a: robustness.cutoff_shift_chart(r, a["shifts"]),
    "colour_sobol_chart": lambda r, a: robustness.colour_sobol_chart(r, a["colour_sobol"]),
}


def _walk(node):
    if isinstance(node, dict):
        yield node
        for key, value in node.items():
            if key not in ("datasets", "data", "values"):
                yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(CHARTS))
def test_charts_render_offline_to_svg_in_both_languages(results, analyses, name, lang, capfd):
    theme.setup(lang)
    spec = CHARTS[name](results[lang], analyses).to_dict()
    svg = vlc.vegalite_to_svg(spec, show_warnings=True)
    assert "WARN" not in capfd.readouterr().err
    assert svg.startswith("<svg") and len(svg) > 5_000
    shown = [
        s
        for d in _walk({k: v for k, v in spec.items() if k != "config"})
        for s in _strings(d.get("title", []))
    ]
    assert shown
    if lang == "en":
        assert not any(CJK.search(s) for s in shown), shown
        rows = [row for values in spec.get("datasets", {}).values() for row in values]
        assert not any(CJK.search(str(v)) for row in rows for v in row.values())


@pytest.mark.parametrize("name", ["rank_intervals", "colour_probabilities"])
def test_uncertainty_charts_use_the_grade_legend_and_rank_order(results, analyses, name):
    spec = CHARTS[name](results["en"], analyses).to_dict()
    scales = [d["scale"] for d in _walk(spec) if d.get("field") == "band_label" and "scale" in d]
    assert scales and all(s["domain"] == GRADES["en"] for s in scales)
    sorts = [d["sort"] for d in _walk(spec) if d.get("field") == "station" and "sort" in d]
    assert sorts and all(s == {"field": "rank", "op": "min"} for s in sorts)


def test_rank_intervals_carry_interval_and_probability_of_each_station(results, analyses):
    spec = robustness.rank_intervals(results["en"], analyses["uncertainty"]).to_dict()
    rows = max(spec["datasets"].values(), key=len)
    assert len(rows) == 60
    meilin = next(r for r in rows if r["station"] == "Meilin station")
    u = analyses["uncertainty"].set_index("station_id").loc[MEILIN]
    assert (meilin["rank_p05"], meilin["median_rank"], meilin["rank_p95"]) == (
        u["rank_p05"],
        u["median_rank"],
        u["rank_p95"],
    )
    assert meilin["p_published"] == pytest.approx(u["p_published"], abs=1e-4)
    assert meilin["band_label"] == "Green (slightly poor)" and meilin["rank"] == 51
    tooltips = [
        t.get("title") for d in _walk(spec) for t in d.get("tooltip", []) if isinstance(t, dict)
    ]
    assert "Probability of this month's grade" in tooltips


def test_colour_probability_bars_sum_to_one_per_station(results, analyses):
    spec = robustness.colour_probabilities(results["zh"], analyses["uncertainty"]).to_dict()
    rows = pd.DataFrame(max(spec["datasets"].values(), key=len))
    assert rows.groupby("station")["p"].sum().to_numpy() == pytest.approx(1.0, abs=1e-3)
    assert rows["station"].nunique() == 60 and set(rows["band_label"]) <= set(GRADES["zh"])


def test_sobol_chart_shows_the_2n_estimates(results, analyses):
    spec = robustness.sobol_chart(results["en"], analyses["sobol"]).to_dict()
    rows = pd.DataFrame(max(spec["datasets"].values(), key=len))
    left_out = analyses["sobol"].query("input == 'left_out' and n == 128")
    total = rows[(rows["input"] == "Left-out indicator") & (rows["kind"] == "Total-effect ST")]
    assert total["estimate"].iloc[0] == pytest.approx(left_out["ST"].iloc[0], abs=1e-4)
    assert (rows["bar"] >= 0).all() and "N=128" in spec["title"]


def test_cutoff_shift_chart_has_one_line_per_cutoff_and_all(results, analyses):
    spec = robustness.cutoff_shift_chart(results["en"], analyses["shifts"]).to_dict()
    rows = pd.DataFrame(max(spec["datasets"].values(), key=len))
    assert rows["series"].nunique() == 5 and len(rows) == 5 * len(analyses["shifts"])
    together = rows[rows["series"] == "All four cut-offs together"].set_index("shift")["count"]
    assert together.to_dict() == analyses["shifts"]["all"].to_dict()


# --------------------------------------------------------------------------- the catalogue
def test_one_catalogue_serves_tables_and_pages():
    assert text("station.next.none", "en") == TEXT["station.next.none"]["en"]
    assert text("table.rank", "en") == TEXT["table.rank"]["en"]
    source = (ROOT / "fivecolor" / "views" / "text.yaml").read_text(encoding="utf-8")
    keys = re.findall(r"^(\S+):\s*$", source, flags=re.MULTILINE)
    assert len(keys) == len(set(keys)) == len(TEXT), [k for k in keys if keys.count(k) > 1]


# --------------------------------------------------------------------------- notebooks
def _notebook(name: str):
    return nbformat.read(NOTEBOOKS / name, as_version=4)


@pytest.mark.parametrize("name", ["overview.ipynb", "station.ipynb", "sensitivity.ipynb"])
def test_committed_notebooks_are_thin_and_parameterised(name):
    nb = _notebook(name)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert (
        len(tagged) == 1
        and "params_file" in tagged[0].source
        and "period = None" in tagged[0].source
    )
    ast.literal_eval(
        "{"
        + ", ".join(  # the parameters cell holds literals only
            f"{line.split('=')[0].strip()!r}: {line.split('=', 1)[1].split('#')[0].strip()}"
            for line in tagged[0].source.splitlines()
            if "=" in line
        )
        + "}"
    )
    code = [c for c in nb.cells if c.cell_type == "code"]  # outputs: test_notebooks_in_git
    ids = [c["id"] for c in nb.cells]
    assert len(ids) == len(set(ids)) and all(i.startswith(Path(name).stem) for i in ids)
    assert any("notes" in c.metadata.get("tags", []) for c in nb.cells if c.cell_type == "markdown")
    for cell in code:  # no loops or function definitions: computation lives in the package
        assert not re.search(r"^\s*(for|while|def|class)\b", cell.source, re.MULTILINE), cell.source


def _run(tmp_path, name, **parameters) -> tuple[str, object]:
    import papermill as pm

    out = tmp_path / name
    pm.execute_notebook(
        str(NOTEBOOKS / name),
        str(out),
        cwd=str(NOTEBOOKS),
        progress_bar=False,
        parameters={"params_file": str(SAMPLE_PARAMS), **parameters},
    )
    nb = nbformat.read(out, as_version=4)
    html = "".join(
        o.get("data", {}).get("text/html", "") for c in nb.cells for o in c.get("outputs", [])
    )
    return html, nb


@pytest.mark.slow
def test_station_notebook_shows_meilins_partner_path_and_colour_probability(tmp_path):
    html, nb = _run(tmp_path, "station.ipynb", station_id=MEILIN)
    assert nb.metadata.papermill.exception is None
    assert "黄坛供电所" in html and "受帮扶方" in html  # the partner, as the mentor of meilin
    assert re.search(r"本月等级绿色（稍差）的概率：\d{1,3}%", html)
    assert "晋级方案（一所一策）" in html and "安全生产指数" in html
    assert "从绿色（稍差）升入蓝色（中等）" in html and "目标来源" in html and "结对月数" in html
    assert "梅林所频繁停电综合治理" in html and "专业部门帮扶" in html
    # the card opens the page: the station's name is the page's heading, its partner a link
    assert -1 < html.find('<section class="fc-card"') < html.find("<h2>得分与等级历史")
    assert re.search(r'<h1 class="fc-card-title">.*梅林供电所</h1>', html)
    assert '<a href="huangtan.html">黄坛供电所</a>' in html and "返回月度总览" not in html


@pytest.mark.slow
def test_sensitivity_notebook_runs_with_few_samples(tmp_path):
    html, nb = _run(tmp_path, "sensitivity.ipynb", samples=SAMPLES)
    assert nb.metadata.papermill.exception is None
    assert f"{SAMPLES:,} 次模拟" in html
    for heading in (
        "排名区间",
        "各等级概率",
        "敏感性指数（Sobol）",
        "分级线移动的影响",
        "距分级线的距离",
        "各赋权方法的权重",
        "斯皮尔曼等级相关 ρ",
        "肯德尔等级相关 τ",
        "剔除后平均排名变化",
        "换一种方法，等级会怎样变化",
        "稳定等级选项的效果",
        "附录：技术表格",
        "克朗巴哈",
    ):
        assert heading in html, heading
    # the page opens with the colour-level sentences, before any section
    lead = html.find("个在各种合理的方法选择下都保持本月等级")
    assert 0 <= lead < html.find("排名区间")
    # the technical tables are folded into the appendix
    appendix = html.find("<details>")
    assert html.find("附录：技术表格") < appendix
    assert html.find("<summary>敏感性指数（Sobol）</summary>", appendix) > appendix
    assert html.find("肯德尔等级相关 τ", html.find("<summary>各赋权方法排名的相关性")) > appendix
    assert "N=1024" in html and "N=2048" in html
    charts_shown = sum(
        len(c.get("outputs", []))
        and any("fc-chart" in o.get("data", {}).get("text/html", "") for o in c["outputs"])
        for c in nb.cells
    )
    assert charts_shown >= 4


@pytest.mark.slow
def test_overview_notebook_shows_the_actions_before_data_quality(tmp_path):
    html, _ = _run(tmp_path, "overview.ipynb")
    positions = [
        html.find(h)
        for h in (
            "<h2>等级变化",
            "<h2>帮扶与结对",
            "<h3>支部联建结对",
            "<h3>专业部门帮扶",
            "<h3>书记项目",
            "<h3>阶段目标进度",
            "<h2>数据质量",
        )
    ]
    assert -1 not in positions and positions == sorted(positions)
    # the stage forecast's verdict, in a sentence under the stage table
    assert html.find("第一阶段（2020-12）需要 18 个红色供电所，现有 7 个") > positions[-2]
    movers = html[positions[0] : html.find("<h2>综合排名")]
    assert "梅林供电所" in movers and "黄色（落后）" in movers and "绿色（稍差）" in movers
    assert '<a href="stations/meilin.html">梅林供电所</a>' in movers
    # 本月要点 opens the page, the method box follows; the page bar (added when the site is
    # built) carries the links to the other pages, so the notebook has none of its own
    assert html.find("本月要点") < html.find('class="fc-method"') < html.find("<h2>五色地图")
    assert "sensitivity.html" not in html and "返回月度总览" not in html
    # department help: a summary row per department; every row is on the actions page
    departments = html[positions[3] : positions[4]]
    assert 'href="actions/index.html#departments"' in departments
    assert "<h4>" not in departments and "fc-more" not in departments


def test_show_table_keeps_short_rows_on_one_line_and_lets_wide_ones_wrap():
    from IPython.display import HTML

    from fivecolor.views import notebook as nb

    shown = []
    narrow = pd.DataFrame({"供电所": ["梅林供电所"], "颜色等级": ["绿色（稍差）"]})
    wide = pd.DataFrame(
        {f"column {k}": ["a long English phrase that takes room " * 2] for k in range(4)}
    )
    import IPython.display

    original = IPython.display.display
    IPython.display.display = shown.append
    try:
        nb.show_table(narrow)
        nb.show_table(wide)
    finally:
        IPython.display.display = original
    assert all(isinstance(h, HTML) for h in shown)
    assert '<table class="dataframe fc-table">' in shown[0].data
    assert '<table class="dataframe fc-table fc-table-wrap">' in shown[1].data
    assert "overflow-x: auto" in shown[1].data and "&lt;" not in shown[0].data


def test_the_month_pairs_are_found_once_per_kernel(monkeypatch):
    """The overview shows the pairs and the unpaired stations and the action tables publish
    them: at thousands of stations each search costs seconds, so one serves all three."""
    from fivecolor.analysis import action_files
    from fivecolor.views import notebook as nb

    month = nb.open_month(SAMPLE_PARAMS)
    want = action_files.action_tables(
        month.result, load_projects(month.params, month.data.station_ids)
    )
    monkeypatch.setattr(nb, "_partners", {})
    monkeypatch.setattr(nb, "_tables", {})
    searches = []
    search = partners.all_pairs

    def counted(result):
        searches.append(1)
        return search(result)

    monkeypatch.setattr(partners, "all_pairs", counted)
    monkeypatch.setattr(action_files, "all_pairs", counted)
    pairs, alone = nb.month_partners(month)
    published = nb.month_actions(month)
    assert nb.month_partners(month)[0] is pairs
    assert len(searches) == 1
    pd.testing.assert_frame_equal(pairs, search(month.result)[0])
    pd.testing.assert_frame_equal(alone, search(month.result)[1])
    pd.testing.assert_frame_equal(published["pairing"], want["pairing"])


def test_the_month_monte_carlo_is_run_once_per_kernel():
    from fivecolor.views import notebook as nb

    month = nb.open_month(SAMPLE_PARAMS)
    first = nb.monte_carlo(month, 256)
    assert nb.monte_carlo(month, 256) is first and first.samples == 256
    assert nb.monte_carlo(month, 512) is not first
    assert nb.station_uncertainty(month, 256)["p_published"].equals(
        sensitivity.station_uncertainty(first)["p_published"]
    )


def test_the_actions_page_lists_every_row_of_department_help_by_department(results, tmp_path):
    """The overview shows one row per department and links here: every row, a table each."""
    from fivecolor.site.build import write_actions_index

    result = results["zh"]
    rows = actions.department_help(result)
    write_actions_index(result, tmp_path, ["departments.csv"], 1, None)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    lists = page[page.index('id="departments"') :]
    assert lists.count("<h3>") == rows["department"].nunique()
    assert "<details" not in lists  # never folded
    # one body row per helped indicator; station names link to their pages
    bodies = re.findall(r"<tbody>(.*?)</tbody>", lists, flags=re.S)
    assert sum(body.count("<tr") for body in bodies) == len(rows) > 100
    assert '<a href="../stations/meilin.html">梅林供电所</a>' in lists
