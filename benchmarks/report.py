"""The whole sample month against the floor of Papermill itself, and an unchanged rerun.

The floor: as many trivial notebooks as the month has pages (a parameters cell and a print),
each executed by Papermill's default engine (a fresh kernel per notebook) and exported to HTML,
with the same number of worker processes, measured in the same run. The month: `fivecolor
report --force` on the sample. The rerun: `fivecolor report` again with nothing changed, as a
new process (what an analyst waits for).

Run with `make bench` or `.venv/bin/python benchmarks/report.py [--workers N]`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "params" / "2020-05.yaml"


def trivial_notebook(path: Path) -> Path:
    params = nbformat.v4.new_code_cell('station_id = "x"')
    params.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(cells=[params, nbformat.v4.new_code_cell("print(station_id)")])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def papermill_one(args: tuple[str, str, str]) -> None:
    import papermill as pm
    from nbconvert import HTMLExporter

    source, out, station = args
    nb = pm.execute_notebook(source, out, parameters={"station_id": station}, progress_bar=False)
    html, _ = HTMLExporter(exclude_input=True).from_notebook_node(nb)
    Path(out).with_suffix(".html").write_text(html, encoding="utf-8")


def papermill_floor(n: int, workers: int, folder: Path) -> float:
    source = trivial_notebook(folder / "trivial.ipynb")
    jobs = [(str(source), str(folder / f"out-{k:03d}.ipynb"), f"s{k:03d}") for k in range(n)]
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(papermill_one, jobs))
    return time.perf_counter() - start


def fivecolor_report(reports: Path, workers: int, force: bool) -> float:
    cmd = [
        sys.executable,
        "-m",
        "fivecolor",
        "report",
        "--params",
        str(PARAMS),
        "--out",
        str(reports),
        "--workers",
        str(workers),
    ] + (["--force"] if force else [])
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        reports = tmp / "reports"
        month = fivecolor_report(reports, args.workers, force=True)
        pages = len(list((reports / "2020-05").rglob("*.html"))) - 1  # the widget is not a notebook
        rerun = fivecolor_report(reports, args.workers, force=False)
        (tmp / "floor").mkdir()
        floor = papermill_floor(pages, args.workers, tmp / "floor")
    print(f"workers: {args.workers}; notebooks in the month: {pages}")
    print(
        f"papermill floor ({pages} trivial notebooks, fresh kernels, HTML export): {floor:6.1f} s"
    )
    print(f"fivecolor report --force (the sample month, every page):          {month:6.1f} s")
    print(f"ratio month / floor: {month / floor:.2f}  (aim: at most 0.50)")
    print(
        f"unchanged rerun (new process, reuses the published month):       {rerun:6.2f} s  (aim: under 3 s)"
    )


if __name__ == "__main__":
    main()
