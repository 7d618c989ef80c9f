"""The Dask executor: the same report and the same Monte Carlo as local processes, bit for bit.

One :class:`distributed.LocalCluster` of two single-threaded worker processes serves the module.
"""

from __future__ import annotations

import pickle
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")

from fivecolor.analysis import sensitivity  # noqa: E402
from fivecolor.analysis.sensitivity import draws as sensitivity_draws  # noqa: E402
from fivecolor.data.dataset import load_data  # noqa: E402
from fivecolor.params import load_params  # noqa: E402
from fivecolor.resources import notebooks_dir  # noqa: E402
from fivecolor.scoring.pipeline import score  # noqa: E402
from fivecolor.site.archive import executed_files, read_executed  # noqa: E402
from fivecolor.site.build import build_month  # noqa: E402
from fivecolor.site.executors import (  # noqa: E402
    DaskExecutor,
    LocalExecutor,
    get_executor,
    notebook_payloads,
    run_payload,
)
from fivecolor.site.inputs import BUNDLE_PARAMS, make_bundle, remove_bundles  # noqa: E402
from fivecolor.site.runner import NotebookJob  # noqa: E402

from conftest import Project  # noqa: E402

CHECKOUT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as local_cluster:
        yield local_cluster


@pytest.fixture(scope="module")
def client(cluster):
    with distributed.Client(cluster) as dask_client:
        yield dask_client


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, cluster):
    """The same small month published once by local processes and once on the cluster."""
    root = tmp_path_factory.mktemp("dask")
    (root / "project").mkdir()
    project = Project(root / "project")
    local = build_month(project.params_path, reports_dir=root / "local", workers=2, progress=False)
    dask = build_month(
        project.params_path,
        reports_dir=root / "dask",
        workers=2,
        progress=False,
        executor="dask",
        scheduler=cluster.scheduler_address,
    )
    return project, local, dask


def test_scores_are_byte_identical_on_the_cluster(two_runs):
    _, local, dask = two_runs
    assert (dask / "scores.csv").read_bytes() == (local / "scores.csv").read_bytes()


def test_every_page_is_the_same_on_the_cluster(two_runs):
    project, local, dask = two_runs
    pages = sorted(p.relative_to(local) for p in local.rglob("*.html"))
    # overview, sensitivity, widget, the action tables list, stations
    assert len(pages) == 4 + len(project.stations)
    assert sorted(p.relative_to(dask) for p in dask.rglob("*.html")) == pages
    # the widget is drawn by this process, not by a notebook: its chart counter runs on here
    pages.remove(Path("widget.html"))
    for page in pages:
        assert _steady(dask / page) == _steady(local / page), page


def _steady(page: Path) -> str:
    """A page's text without what differs between any two runs, local ones too: the random id
    Papermill gives its injected parameters cell, and the build time in the method box."""
    text = re.sub(r"cell-id=[0-9a-f]{8}\b", "cell-id=injected", page.read_text(encoding="utf-8"))
    return re.sub(r">\d{4}-\d\d-\d\d \d\d:\d\d[^<]*<", ">built<", text)


def test_the_workers_remove_their_copy_of_the_data_after_the_run(two_runs, client):
    project, _, _ = two_runs
    params = load_params(project.params_path)
    digest = make_bundle(params, load_data(params).inputs).digest
    left = client.run(
        lambda: sorted(p.name for p in Path(tempfile.gettempdir()).glob("fivecolor-bundle-*"))
    )
    assert len(left) == 2 and not any(
        digest[:24] in name for names in left.values() for name in names
    )


def test_executed_notebooks_come_back_with_the_bundle_parameters(two_runs):
    _, local, dask = two_runs
    executed = read_executed(dask, "notebooks/overview.ipynb")
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and f'params_file = "{BUNDLE_PARAMS}"' in injected[0].source
    assert not [
        c
        for c in executed.cells
        if c.get("outputs") and any(o.get("output_type") == "error" for o in c.outputs)
    ]
    assert [name for name, _ in executed_files(dask)] == [name for name, _ in executed_files(local)]


def test_sensitivity_table_and_chunks_are_identical_on_the_cluster(project, client, monkeypatch):
    params = load_params(project.params_path)
    result = score(load_data(params), params)
    # small chunks, so the samples are cut into several tasks
    monkeypatch.setattr(sensitivity_draws, "CHUNK_CELLS", 8 * 10 * 37)
    local = sensitivity.monte_carlo(result, samples=300, seed=7)
    chunk_size = sensitivity_draws._chunk_size(sensitivity_draws._model(result))
    assert len(list(sensitivity_draws._chunks(300, chunk_size))) > 3
    on_cluster = sensitivity.monte_carlo(
        result, samples=300, seed=7, executor=DaskExecutor(client=client)
    )
    for field in ("scores", "ranks", "bands"):
        assert getattr(on_cluster, field).tobytes() == getattr(local, field).tobytes(), field
    pd.testing.assert_frame_equal(
        sensitivity.station_uncertainty(on_cluster),
        sensitivity.station_uncertainty(local),
        check_exact=True,
    )
    # and chunking changes nothing: one chunk in this process gives the same samples
    monkeypatch.setattr(sensitivity_draws, "CHUNK_CELLS", 10**9)
    whole = sensitivity.monte_carlo(result, samples=300, seed=7, executor=LocalExecutor())
    np.testing.assert_array_equal(whole.bands, local.bands)
    np.testing.assert_array_equal(whole.ranks, local.ranks)


def test_notebooks_reach_the_workers_as_bytes_not_paths(project, client, tmp_path):
    import nbformat

    jobs = [
        NotebookJob(
            notebooks_dir() / "station.ipynb",
            tmp_path / "out" / "NB02.ipynb",
            {"params_file": str(project.params_path), "station_id": "NB02"},
            cwd=notebooks_dir(),
            html_path=tmp_path / "out" / "NB02.html",
            label="station NB02",
        )
    ]
    payloads, bundles = notebook_payloads(jobs)
    shipped = pickle.dumps((payloads, bundles))
    for folder in (CHECKOUT, project.root, tmp_path):
        assert str(folder).encode() not in shipped
    (payload,) = payloads
    assert payload.parameters == {"params_file": BUNDLE_PARAMS, "station_id": "NB02"}
    assert payload.notebook == (notebooks_dir() / "station.ipynb").read_bytes()
    # the project folder is gone by the time the worker runs the notebook
    moved = project.root.with_name("moved-away")
    shutil.move(project.root, moved)
    try:
        returned = client.submit(run_payload, payload, bundles[payload.bundle], pure=False).result()
    finally:
        shutil.move(moved, project.root)
        client.run(remove_bundles, [payload.bundle])
    assert returned["status"] == "ok", returned["error"]
    executed = nbformat.reads(returned["executed"].decode("utf-8"), as_version=4)
    assert executed.metadata.papermill.parameters == {
        "params_file": BUNDLE_PARAMS,
        "station_id": "NB02",
    }
    assert "NB02" in returned["html"] and "<html" in returned["html"]


def test_a_bundle_is_self_contained_and_stable(project, tmp_path):
    import zipfile
    from io import BytesIO

    params = load_params(project.params_path)
    first, again = (
        make_bundle(params, load_data(params).inputs),
        make_bundle(params, load_data(params).inputs),
    )
    assert first.digest == again.digest and first.data == again.data
    with zipfile.ZipFile(BytesIO(first.data)) as archive:
        # each role's data in its own folder, under the file's own name
        assert sorted(archive.namelist()) == [
            "indicators/indicators.csv",
            BUNDLE_PARAMS,
            "stations/stations.csv",
        ]
        archive.extractall(tmp_path / "unpacked")
    assert (tmp_path / "unpacked" / "stations" / "stations.csv").read_bytes() == (
        project.root / "stations.csv"
    ).read_bytes()
    unpacked = load_params(tmp_path / "unpacked" / BUNDLE_PARAMS)
    original = load_params(project.params_path)
    assert unpacked.model_dump(exclude={"data"}) == original.model_dump(exclude={"data"})
    assert unpacked.indicator_keys == original.indicator_keys  # in the file's order, not sorted
    assert (
        score(load_data(unpacked), unpacked)
        .table()
        .equals(score(load_data(original), original).table())
    )


def test_unknown_executor_and_misplaced_scheduler_are_refused(run_cli, project):
    with pytest.raises(ValueError, match="unknown executor"):
        get_executor("spark")
    with pytest.raises(ValueError, match="dask"):
        get_executor("local", scheduler="tcp://127.0.0.1:8786")
    code, _, err = run_cli(
        "report", "--params", project.params_path, "--scheduler", "tcp://127.0.0.1:8786"
    )
    assert code == 2 and "--executor dask" in err
