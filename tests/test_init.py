"""fivecolor init: a company's working folder, from nothing to a scored month without the sample."""

from __future__ import annotations

import pandas as pd
import yaml
from openpyxl import Workbook, load_workbook

from conftest import REPO, SAMPLE_DIR


def test_init_then_import_the_wide_template_scores_as_the_sample(tmp_path, run_cli):
    folder = tmp_path / "company"
    code, out, _ = run_cli("init", folder)
    assert code == 0 and "fivecolor import" in out
    params_text = (folder / "params.yaml").read_text(encoding="utf-8")
    doc = yaml.safe_load(params_text)
    assert "data/sample" not in params_text and "extends" not in doc  # nothing of the sample's
    assert doc["data"] == {"stations": "stations.csv", "indicators": "store"}
    assert (folder / "fivecolor.duckdb").is_file()
    assert pd.read_csv(folder / "templates" / "projects.csv").columns.tolist() == [
        "station_id",
        "indicator",
        "start",
        "target",
        "title",
    ]

    # the company fills in its stations and May's workbook from the Chinese template
    stations = pd.read_csv(SAMPLE_DIR / "stations.csv", dtype=str)
    template = pd.read_csv(folder / "stations.csv")
    stations[template.columns.tolist()].to_csv(folder / "stations.csv", index=False)
    header = [
        c.value for c in load_workbook(folder / "templates" / "indicators-wide-zh.xlsx").active[1]
    ]
    assert header[:2] == ["月份", "供电所"]
    long = pd.read_csv(SAMPLE_DIR / "indicators.csv", dtype={"period": str})
    may = long[long["period"] == "2020-05"].pivot(
        index="station_id", columns="indicator", values="value"
    )
    catalogue = yaml.safe_load(params_text)["indicators"]
    labels = {spec["label"]["zh"]: key for key, spec in catalogue.items()}
    names = stations.set_index("station_id")["name"]
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for station_id, row in may.iterrows():
        sheet.append(["2020年05月", names[station_id], *(row[labels[h]] for h in header[2:])])
    book.save(tmp_path / "may.xlsx")
    assert run_cli("import", tmp_path / "may.xlsx", "--params", folder / "params.yaml")[0] == 0

    ours, sample = tmp_path / "ours.csv", tmp_path / "sample.csv"
    assert (
        run_cli("score", "--params", folder / "params.yaml", "--period", "2020-05", "--out", ours)[
            0
        ]
        == 0
    )
    assert run_cli("score", "--params", REPO / "params" / "2020-05.yaml", "--out", sample)[0] == 0
    mine = pd.read_csv(ours).set_index("station_id")
    theirs = pd.read_csv(sample).set_index("station_id").loc[mine.index]
    pd.testing.assert_series_equal(mine["score"], theirs["score"])
    assert (mine["band"] == theirs["band"]).all()
    assert set(mine["change"]) == {"new"}  # one month of history: every station is new


def test_init_refuses_a_folder_that_is_not_empty(tmp_path, run_cli):
    (tmp_path / "data.csv").write_text("keep me\n", encoding="utf-8")
    code, _, err = run_cli("init", tmp_path)
    assert code == 2 and "not empty" in err and len(err.strip().splitlines()) == 1
    assert (tmp_path / "data.csv").read_text(encoding="utf-8") == "keep me\n"
