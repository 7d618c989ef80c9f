"""Province-sized months: the synthetic company command and an overview that stays light."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from fivecolor.data.dataset import load_data
from fivecolor.data.geography import county_boundaries, service_areas
from fivecolor.params import load_params
from fivecolor.resources import notebooks_dir
from fivecolor.scoring.bands import BANDS
from fivecolor.scoring.pipeline import score
from fivecolor.site.runner import NotebookJob, run_notebook
from fivecolor.views import common, large_month, maps, overview, robustness
from fivecolor.views.large_month import ROWS_SHOWN
from fivecolor.views.shared_data import names_used

N_STATIONS, N_MONTHS = 500, 3
MAX_OVERVIEW_BYTES = 1_500_000


@pytest.fixture(scope="module")
def company(tmp_path_factory) -> Path:
    """``fivecolor sample --stations 500 --months 3 --out DIR``: the folder."""
    from fivecolor.cli import main

    out = tmp_path_factory.mktemp("company")
    assert (
        main(
            ["sample", "--stations", str(N_STATIONS), "--months", str(N_MONTHS), "--out", str(out)]
        )
        == 0
    )
    return out


@pytest.fixture(scope="module")
def results_zh():
    """The 60-station sample month."""
    params = load_params(Path(__file__).resolve().parents[1] / "params" / "2020-05.yaml")
    return score(load_data(params), params)


@pytest.fixture(scope="module")
def large(company):
    params = load_params(company / "params.yaml")
    return score(load_data(params), params)


def test_sample_writes_parquet_and_a_ready_parameter_file(company, run_cli):
    assert sorted(p.name for p in company.iterdir()) == [
        "indicators.parquet",
        "params.yaml",
        "stations.parquet",
    ]
    indicators = pd.read_parquet(company / "indicators.parquet")
    assert len(indicators) > 0.99 * N_STATIONS * N_MONTHS * 10
    assert indicators["period"].nunique() == N_MONTHS
    code, out, err = run_cli("score", "--params", company / "params.yaml")
    assert code == 0, err
    scored = pd.read_csv(pd.io.common.StringIO(out), dtype={"station_id": str})
    assert len(scored) == N_STATIONS and scored["period"].eq("2020-05").all()
    assert scored["band"].isin(BANDS).all()


def test_small_companies_stay_csv_unless_asked(tmp_path, run_cli):
    code, out, _ = run_cli("sample", "--stations", "20", "--months", "2", "--out", tmp_path / "csv")
    assert code == 0 and "stations.csv" in out and (tmp_path / "csv" / "params.yaml").is_file()
    code, _, _ = run_cli(
        "sample",
        "--stations",
        "20",
        "--months",
        "2",
        "--format",
        "parquet",
        "--out",
        tmp_path / "pq",
    )
    assert code == 0 and (tmp_path / "pq" / "indicators.parquet").is_file()
    same = [
        score(load_data(p), p).table()
        for p in (load_params(tmp_path / f / "params.yaml") for f in ("csv", "pq"))
    ]
    pd.testing.assert_series_equal(same[0]["band"], same[1]["band"])


def test_synthetic_stations_lie_inside_their_county(company):
    stations = pd.read_parquet(company / "stations.parquet")
    shapes = {
        f["properties"]["name"]: shapely.geometry.shape(f["geometry"])
        for f in county_boundaries()["features"]
    }
    inside = shapely.covers(
        np.array([shapes[c] for c in stations["county"]]),
        shapely.points(stations[["lon", "lat"]].to_numpy()),
    )
    assert inside.all()
    assert len(service_areas(stations)["features"]) == N_STATIONS  # what the report checks first


def test_county_bands_count_every_station_and_take_the_lower_median(large):
    summary = common.county_bands(large)
    frame = common.month_frame(large)
    assert summary["stations"].sum() == N_STATIONS
    assert (
        summary[list(BANDS)].sum(axis=1) == summary["stations"]
    ).all()  # every station has a grade
    county = large.data.stations.loc[frame["station_id"], "county"].astype(str).to_numpy()
    for name in summary.index[:3]:  # against a sort of the county's grades by hand
        grades = sorted(BANDS.index(b) for b in frame["band"][county == name])
        assert summary.loc[name, "median_band"] == BANDS[grades[(len(grades) - 1) // 2]]
        assert summary.loc[name, "median_score"] == round(
            float(np.median(frame["score"][county == name])), 1
        )


def test_small_months_keep_their_station_views(results_zh):
    assert not large_month.is_large(results_zh)
    assert maps.overview_map(results_zh).to_dict() == maps.colour_map(results_zh).to_dict()
    assert (
        overview.overview_heatmap(results_zh).to_dict()
        == overview.indicator_heatmap(results_zh).to_dict()
    )


def test_large_month_views_aggregate_by_county(large):
    assert large_month.is_large(large)
    spec = maps.overview_map(large).to_dict()
    geo = [layer for layer in spec["layer"] if layer["mark"]["type"] == "geoshape"]
    assert len(geo) == 1  # the ten counties, no service area
    shapes = spec["datasets"][geo[0]["data"]["name"]]
    assert len(shapes) == 10
    assert maps.map_datasets(large)[geo[0]["data"]["name"]] == shapes  # what the site stores
    heat = overview.overview_heatmap(large).to_dict()
    (cells,) = heat["datasets"].values()
    assert len(cells) == 10 * len(large.params.indicators)


@pytest.mark.slow
def test_large_overview_executes_and_stays_light(company, large, tmp_path):
    job = NotebookJob(
        notebooks_dir() / "overview.ipynb",
        tmp_path / "overview.ipynb",
        {"params_file": str(company / "params.yaml")},
        cwd=notebooks_dir(),
        html_path=tmp_path / "index.html",
        label="overview",
    )
    outcome = run_notebook(job)
    assert outcome.status == "ok", outcome.error
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert len(page.encode("utf-8")) < MAX_OVERVIEW_BYTES
    # no station's service area: the only features drawn are the ten counties, whether in the
    # page or in the shapes the site stores once (the page names them)
    inline = sum(
        len(re.findall(r'"type":\s*"Feature"', script))
        for script in re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    )
    stored = maps.map_datasets(large)
    shared = sum(len(stored[name]) for name in names_used(page))
    assert inline + shared == 10
    # the league table shows both ends and says how many rows it leaves out
    assert f"{N_STATIONS - 2 * ROWS_SHOWN}" in page
    assert page.count("<details>") == 10  # the station index folded by county
    assert json.dumps("s00001")[1:-1] in page  # a station link is still there


def test_large_uncertainty_charts_draw_the_least_certain_stations(large):
    from fivecolor.analysis import sensitivity

    uncertainty = sensitivity.station_uncertainty(
        sensitivity.monte_carlo(large, samples=200, seed=3)
    )
    spec = robustness.rank_intervals(large, uncertainty).to_dict()
    (rows,) = spec["datasets"].values()
    assert len(rows) == large_month.UNCERTAIN_SHOWN
    shown = max(row["p_published"] for row in rows)
    scored = uncertainty[uncertainty["band"] != ""]
    assert (
        scored["p_published"].round(4) < shown
    ).sum() < large_month.UNCERTAIN_SHOWN  # none less certain left out
    bars = robustness.colour_probabilities(large, uncertainty).to_dict()
    (segments,) = bars["datasets"].values()
    assert {row["station"] for row in segments} == {row["station"] for row in rows}


def test_a_large_months_long_table_keeps_its_links_where_the_page_is(company, monkeypatch):
    # a station page links its sibling pages (""): both ends of a cut table keep that
    import IPython.display

    from fivecolor.views import notebook as nb

    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    month = nb.open_month(company / "params.yaml")
    nb.show_table(overview.league_table(month.result), month=month, pages="")
    pages = "".join(part.data for part in shown)
    assert f"{N_STATIONS - 2 * ROWS_SHOWN:,}" in pages
    assert pages.count('<a href="s0') == 2 * ROWS_SHOWN
    assert 'href="stations/' not in pages
