"""Warm-kernel Papermill engine and the parallel notebook runner, on tiny notebooks."""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from papermill.exceptions import PapermillExecutionError

import fivecolor.site.engine as engine
from fivecolor.site.runner import NotebookJob, run_notebooks

PACKAGE_ROOT = Path(engine.__file__).parents[2]


def make_notebook(path: Path, cells: list[str], parameters: str = "value = 0") -> Path:
    """A notebook with a tagged parameters cell followed by ``cells``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell(parameters)
    params.metadata.tags = ["parameters"]
    nb.cells = [params] + [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(nb, path)
    return path


def stream_text(nb) -> str:
    return "".join(
        out.get("text", "")
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if out.output_type == "stream"
    )


def has_error_banner(nb) -> bool:
    """Papermill's banner: a first markdown cell linking to the failed cell."""
    first = nb.cells[0]
    return (
        "papermill-error-cell-tag" in first.metadata.get("tags", [])
        and "An Exception was encountered at" in first.source
        and '<a href="#papermill-error-cell">' in first.source
    )


@pytest.fixture(autouse=True)
def package_on_path(monkeypatch):
    """Workers and kernels import fivecolor from this source tree."""
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(PACKAGE_ROOT), os.environ.get("PYTHONPATH", "")])
    )


@pytest.fixture
def warm_engine():
    yield engine.ENGINE_NAME
    engine.shutdown_warm_kernels()


def execute(src: Path, out: Path, cwd: Path, **parameters):
    return pm.execute_notebook(
        str(src),
        str(out),
        parameters=parameters,
        engine_name=engine.ENGINE_NAME,
        progress_bar=False,
        cwd=str(cwd),
    )


def test_engine_is_registered_with_papermill():
    assert pm.engines.papermill_engines.get_engine("fivecolor_warm") is engine.WarmKernelEngine


def test_state_and_cwd_do_not_leak_between_notebooks(tmp_path, warm_engine):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    a = make_notebook(
        tmp_path / "a.ipynb",
        [
            f"import os\nleaked_secret = 42\nos.chdir({str(elsewhere)!r})\nprint('pid', os.getpid())",
        ],
    )
    b = make_notebook(
        tmp_path / "b.ipynb",
        [
            "import os\nprint('pid', os.getpid())",
            "assert 'leaked_secret' not in globals(), 'state leaked'\n"
            "try:\n    leaked_secret\nexcept NameError:\n    print('undefined')",
            "print('cwd', os.getcwd())\nprint('value', value)",
        ],
    )
    nb_a = execute(a, tmp_path / "a.out.ipynb", tmp_path, value=1)
    nb_b = execute(b, tmp_path / "b.out.ipynb", tmp_path, value=2)
    text_a, text_b = stream_text(nb_a), stream_text(nb_b)
    # Same kernel process for both notebooks, yet B sees none of A's state.
    pid_a = text_a.split("pid ")[1].split()[0]
    assert f"pid {pid_a}\n" in text_b
    assert "undefined\n" in text_b
    assert f"cwd {tmp_path.resolve()}\n" in text_b
    assert "value 2\n" in text_b
    # Execution numbers restart with each notebook, as with a fresh kernel.
    assert [c.execution_count for c in nb_b.cells if c.cell_type == "code"] == [1, 2, 3, 4, 5]


def test_papermill_behaviour_is_kept(tmp_path, warm_engine):
    src = make_notebook(tmp_path / "p.ipynb", ["print(value * 2)"])
    nb = execute(src, tmp_path / "p.out.ipynb", tmp_path, value=21)
    assert nb.metadata.papermill.parameters == {"value": 21}
    assert nb.metadata.papermill.exception is None
    injected = nb.cells[1]
    assert "injected-parameters" in injected.metadata.tags
    assert "42\n" in stream_text(nbformat.read(tmp_path / "p.out.ipynb", as_version=4))


def test_failed_notebook_gets_banner_and_a_fresh_kernel(tmp_path, warm_engine):
    bad = make_notebook(
        tmp_path / "bad.ipynb",
        [
            "import os\nprint('pid', os.getpid())",
            "raise ValueError('boom')",
            "print('never')",
        ],
    )
    good = make_notebook(tmp_path / "good.ipynb", ["import os\nprint('pid', os.getpid())"])
    with pytest.raises(PapermillExecutionError) as caught:
        execute(bad, tmp_path / "bad.out.ipynb", tmp_path)
    # No parameters given, so no injected cell: parameters (1), print (2), raise (3).
    assert (caught.value.ename, caught.value.evalue, caught.value.exec_count) == (
        "ValueError",
        "boom",
        3,
    )
    written = nbformat.read(tmp_path / "bad.out.ipynb", as_version=4)
    assert written.metadata.papermill.exception is True
    assert has_error_banner(written)
    assert "never" not in stream_text(written)
    pid_bad = stream_text(written).split("pid ")[1].split()[0]
    nb = execute(good, tmp_path / "good.out.ipynb", tmp_path)
    pid_good = stream_text(nb).split("pid ")[1].split()[0]
    assert pid_good != pid_bad


def test_run_notebooks_parallel_in_job_order_with_one_failure(tmp_path):
    src = make_notebook(
        tmp_path / "square.ipynb",
        [
            "if value == 3:\n    raise ValueError(f'bad value {value}')",
            "print('square', value * value)",
        ],
    )
    jobs = [
        NotebookJob(
            input_path=src,
            output_path=tmp_path / "out" / f"n{i}.ipynb",
            parameters={"value": i},
            cwd=tmp_path,
            html_path=tmp_path / "site" / f"n{i}.html",
            label=f"value {i}",
        )
        for i in range(6)
    ]
    results = run_notebooks(jobs, workers=2, progress=False)
    assert [r.job for r in results] == jobs
    assert [r.status for r in results] == ["ok", "ok", "ok", "failed", "ok", "ok"]
    for i, result in enumerate(results):
        written = nbformat.read(jobs[i].output_path, as_version=4)
        assert result.html_written and jobs[i].html_path.exists()
        if i == 3:
            continue
        assert f"square {i * i}\n" in stream_text(written)
        assert result.error is None
    failed = results[3]
    # Cells: parameters (1), injected parameters (2), the raise (3).
    assert failed.error == "square.ipynb (value 3): cell 3 raised ValueError: bad value 3"
    written = nbformat.read(jobs[3].output_path, as_version=4)
    assert written.metadata.papermill.exception is True
    assert has_error_banner(written)


def test_run_notebooks_isolates_consecutive_notebooks_on_one_worker(tmp_path):
    a = make_notebook(tmp_path / "a.ipynb", ["leaked_secret = 1"])
    b = make_notebook(tmp_path / "b.ipynb", ["assert 'leaked_secret' not in globals()"])
    jobs = [
        NotebookJob(a, tmp_path / "a.out.ipynb", label="a"),
        NotebookJob(b, tmp_path / "b.out.ipynb", label="b"),
    ]
    results = run_notebooks(jobs, workers=1, progress=False)
    assert [r.status for r in results] == ["ok", "ok"], [r.error for r in results]


def _papermill_job(args):
    """Baseline for the measurement: Papermill's default engine plus an HTML export."""
    src, out, html_path, params = args
    from fivecolor.site.render import render_html

    nb = pm.execute_notebook(src, out, parameters=params, progress_bar=False)
    Path(html_path).write_text(render_html(nb, "assets"), encoding="utf-8")


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("FIVECOLOR_BENCH") != "1", reason="measurement only: set FIVECOLOR_BENCH=1"
)
def test_measure_warm_runner_against_papermill_pool(tmp_path, capsys):
    """Prints timings; asserts nothing about speed."""
    import multiprocessing

    src = make_notebook(
        tmp_path / "trivial.ipynb", ["print('station', station)"], parameters="station = 'S00'"
    )
    count = 60
    jobs = [
        NotebookJob(
            src,
            tmp_path / "warm" / f"S{i:02d}.ipynb",
            {"station": f"S{i:02d}"},
            html_path=tmp_path / "warm" / f"S{i:02d}.html",
            label=f"S{i:02d}",
        )
        for i in range(count)
    ]
    started = time.perf_counter()
    results = run_notebooks(jobs, workers=2, progress=False)
    warm_seconds = time.perf_counter() - started
    assert all(r.status == "ok" for r in results)

    (tmp_path / "pm").mkdir()
    args = [
        (
            str(src),
            str(tmp_path / "pm" / f"S{i:02d}.ipynb"),
            str(tmp_path / "pm" / f"S{i:02d}.html"),
            {"station": f"S{i:02d}"},
        )
        for i in range(count)
    ]
    started = time.perf_counter()
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(_papermill_job, args))
    pool_seconds = time.perf_counter() - started
    with capsys.disabled():
        print(
            f"\n{count} trivial notebooks incl. HTML, 2 workers: warm runner {warm_seconds:.1f} s, "
            f"papermill default engine + ProcessPoolExecutor(2) {pool_seconds:.1f} s"
        )


def test_reset_clears_outputs_without_a_full_garbage_collection(tmp_path, warm_engine):
    # IPython's reset ends with gc.collect() (a tenth of a second once pandas is loaded); the
    # engine's reset leaves cycles to Python's collector but still forgets every output.
    a = make_notebook(
        tmp_path / "a.ipynb",
        [
            "import gc\n_fc_collect = gc.collect\ngc.full_collections = 0\n"
            "def counting(*args):\n    gc.full_collections += 1\n    return _fc_collect(*args)\n"
            "gc.collect = counting",
            "[41 + 1]",
        ],
    )
    b = make_notebook(
        tmp_path / "b.ipynb",
        [
            "import gc\nprint('collections', gc.full_collections)",
            "print('out', Out, repr(_), repr(__), _oh)",
        ],
    )
    execute(a, tmp_path / "a.out.ipynb", tmp_path)
    text = stream_text(execute(b, tmp_path / "b.out.ipynb", tmp_path))
    assert "collections 0\n" in text
    assert "out {} '' '' {}\n" in text
