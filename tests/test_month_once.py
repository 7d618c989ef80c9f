"""What every station page of a month shares is computed once per month: the data files are
hashed again only when they change, and month-wide frames once per scored result."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from fivecolor.analysis.sensitivity.cutoffs import cutoff_distances
from fivecolor.scoring import per_result
from fivecolor.views import common
from fivecolor.views import notebook as nb
from fivecolor.views.table_html import fits_on_one_line
from tests.conftest import write_table


def counting_hashes(monkeypatch) -> list[str]:
    """The files ``open_month`` hashes from now on (the hashes stay real)."""
    hashed: list[str] = []
    real = nb.file_sha256

    def counting(path):
        hashed.append(str(path))
        return real(path)

    monkeypatch.setattr(nb, "file_sha256", counting)
    return hashed


def test_unchanged_files_are_not_hashed_again(project, monkeypatch):
    hashed = counting_hashes(monkeypatch)
    first = nb.open_month(project.params_path)
    assert any(path.endswith("indicators.csv") for path in hashed)
    hashed.clear()
    assert nb.open_month(project.params_path) is first
    assert hashed == []  # a station page's open_month reads no data file again


def test_a_rewritten_data_file_gives_a_fresh_month(project, monkeypatch):
    hashed = counting_hashes(monkeypatch)
    first = nb.open_month(project.params_path)
    indicators_file = project.root / "indicators.csv"
    before = os.stat(indicators_file)
    changed = project.indicators.copy()
    changed.loc[project.cell("NB01", "safety_production"), "value"] += 1.0
    write_table(changed, indicators_file)
    # same size and time stamp as before: only the content tells (an edit within one tick)
    assert os.stat(indicators_file).st_size == before.st_size
    os.utime(indicators_file, ns=(before.st_atime_ns, before.st_mtime_ns + 1))
    hashed.clear()
    second = nb.open_month(project.params_path)
    assert any(path.endswith("indicators.csv") for path in hashed)
    assert second is not first
    s = first.data.station_ids.get_loc("NB01")
    assert not np.array_equal(first.result.composite[:, s], second.result.composite[:, s])


def test_month_wide_frames_are_computed_once_per_result_and_handed_out_as_copies(project):
    month = nb.open_month(project.params_path)
    calls = []

    @per_result.once_per_result
    def frame_of(result, period=None):
        calls.append(period)
        return pd.DataFrame({"station_id": result.data.station_ids})

    first = frame_of(month.result)
    first.loc[0, "station_id"] = "changed by a page"
    again = frame_of(month.result)
    assert calls == [None]
    assert again.loc[0, "station_id"] == month.data.station_ids[0]
    frame_of(month.result, "2020-04")
    assert calls == [None, "2020-04"]


def test_the_shared_frames_match_a_fresh_computation(project):
    result = nb.open_month(project.params_path).result
    per_result.clear()
    for shared in (common.month_frame, common.county_names, cutoff_distances):
        kept = shared(result)
        kept.iloc[0] = kept.iloc[-1]  # what one page does to its copy stays there
        pd.testing.assert_frame_equal(
            pd.DataFrame(shared(result)), pd.DataFrame(shared.__wrapped__(result))
        )


def test_fits_on_one_line_measures_chinese_wider_and_missing_cells_as_nothing():
    # 70 Chinese characters: 70 x 13 + 20 = 930 px fits; 70 Latin ones plus a wide
    # Chinese column does not
    assert fits_on_one_line(pd.DataFrame({"a": ["宁" * 70, None]}))
    assert not fits_on_one_line(pd.DataFrame({"a": ["宁" * 70], "b": ["x" * 10]}))
    assert fits_on_one_line(pd.DataFrame({"a": [np.nan, 1.5], "b": pd.array([1, None], "Int64")}))
    assert fits_on_one_line(pd.DataFrame({"a": pd.Series([], dtype=float)}))


def test_the_parameter_file_is_read_again_only_when_it_changes(project, monkeypatch):
    reads = []
    real = nb.load_params

    def counting(*args, **kwargs):
        reads.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(nb, "load_params", counting)
    nb._params.clear()
    first = nb.open_month(project.params_path)
    assert nb.open_month(project.params_path) is first
    assert len(reads) == 1
    doc = project.params_doc()
    doc["language"] = "en"
    project.with_params(doc=doc, name="p.yaml")  # the same file, rewritten
    english = nb.open_month(project.params_path)
    assert len(reads) == 2 and english.language == "en" and first.language == "zh"
