"""A month is published once, and later months show it as published (the store of record).

Each store test runs on a DuckDB file and on the throwaway PostgreSQL cluster.
"""

from __future__ import annotations

import pandas as pd
import pytest

from fivecolor.analysis.published import method_change, published_months
from fivecolor.data.dataset import load_data
from fivecolor.data.store import open_store
from fivecolor.params import load_params
from fivecolor.scoring.pipeline import score
from fivecolor.site.publications import record_publication, store_conflict

from conftest import SAMPLE_DIR, Project, store_params, write_yaml

LONG = pd.read_csv(SAMPLE_DIR / "indicators.csv", dtype={"period": str, "station_id": str})


def _scored(path):
    params = load_params(path)
    return published_months(score(load_data(params), params))


def _publish(path, tmp_path):
    """What fivecolor report records once the month's site is published."""
    months = _scored(path)
    params = months.result.params
    hashes = {role: read.sha256 for role, read in months.result.data.inputs.items()}
    record_publication(months.result, hashes, tmp_path / "reports" / params.period, None)
    return months.result


@pytest.fixture
def may_published(tmp_path, store_doc, run_cli):
    """The sample's 23 months in the store, May published with the sample's method, and June
    (May's values again) imported."""
    may = store_params(tmp_path, store_doc, data={"indicators": "store"})
    assert run_cli("import", SAMPLE_DIR / "indicators.csv", "--params", may)[0] == 0
    published = _publish(may, tmp_path)
    june_file = tmp_path / "june.csv"
    LONG.loc[LONG["period"] == "2020-05"].assign(period="2020-06").to_csv(june_file, index=False)
    assert run_cli("import", june_file, "--params", may)[0] == 0
    return may, published


def test_june_under_a_new_weight_shows_mays_published_colours(tmp_path, store_doc, may_published):
    _, may = may_published
    june = store_params(
        tmp_path,
        store_doc,
        name="june.yaml",
        period="2020-06",
        data={"indicators": "store"},
        indicators={"line_loss": {"weight": 20}},
    )
    months = _scored(june)
    shown = months.result.table().set_index("station_id")
    rescored = months.rescored.table().set_index("station_id")
    published = may.table().set_index("station_id")
    assert published.loc["cicheng", "band"] == "orange"
    assert shown.loc["cicheng", "prev_band"] == "orange"  # as published, not re-scored
    assert rescored.loc["cicheng", "prev_band"] == "red"  # June's method recolours May
    assert (shown["prev_band"] == published["band"].reindex(shown.index)).all()
    change = method_change(months)
    assert change is not None and change.period == "2020-05"
    assert change.published == {"red": 7, "orange": 16, "blue": 19, "green": 9, "yellow": 9}
    assert change.rescored != change.published


def test_may_again_with_other_parameters_conflicts_with_the_store(
    tmp_path, store_doc, may_published
):
    may, _ = may_published
    params = load_params(may)
    hashes = {r: i.sha256 for r, i in load_data(params).inputs.items()}
    assert store_conflict(params, hashes) is None
    heavier = store_params(
        tmp_path,
        store_doc,
        name="heavier.yaml",
        data={"indicators": "store"},
        indicators={"line_loss": {"weight": 20}},
    )
    conflict = store_conflict(load_params(heavier), hashes)
    assert conflict is not None and conflict.startswith("other parameters")
    with open_store(params.store_location) as store:
        assert len(store.published_scores("2020-05")) == 60


@pytest.mark.slow
def test_a_report_from_the_store_records_its_publication_and_the_next_says_the_method_changed(
    tmp_path, run_cli
):
    from fivecolor.site.build import build_month

    project = Project(tmp_path)
    params = write_yaml(
        {
            **project.params_doc(),
            "period": "2020-04",
            "data": {**project.params_doc()["data"], "indicators": "store"},
        },
        tmp_path / "store.yaml",
    )
    assert run_cli("import", project.root / "indicators.csv", "--params", params)[0] == 0
    reports = tmp_path / "reports"
    build_month(params, reports_dir=reports, workers=2, progress=False)
    with open_store(load_params(params).store_location) as store:
        recorded = store.published_scores("2020-04")
    assert sorted(recorded["station_id"]) == sorted(project.stations["station_id"])

    heavier = write_yaml(
        {
            **project.params_doc(),
            "data": {**project.params_doc()["data"], "indicators": "store"},
            "bands": {"cutoffs": [99, 98, 97, 96]},  # recolours April under this method
        },
        tmp_path / "may.yaml",
    )
    may = build_month(heavier, reports_dir=reports, workers=2, progress=False)
    page = (may / "index.html").read_text(encoding="utf-8")
    months = _scored(heavier)
    change = method_change(months)
    assert change is not None and change.period == "2020-04"
    assert 'class="fc-note"' in page and f"{change.recoloured}" in page
    shown = months.result.table().set_index("station_id")["prev_band"]
    assert (shown == recorded.set_index("station_id")["band"].reindex(shown.index)).all()
