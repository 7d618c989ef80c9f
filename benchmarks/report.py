"""The whole sample month against the floor of Papermill itself, and an unchanged rerun.

The floor: as many trivial notebooks as the month has pages (a parameters cell and a print),
each executed by Papermill's default engine (a fresh kernel per notebook) and exported to HTML,
with the same number of worker processes, measured in the same run. The month: `fivecolor
report --force` on the sample. The rerun: `fivecolor report` again with nothing changed, as a
new process (what an analyst waits for).

Then the pages' sizes (the overview, a station page, the robustness page and the home page's
window, with the part that is the charts' still SVG pictures) and what drawing those pictures
costs: vl-convert run again on every chart spec of the executed notebooks, one process.

Run with `make bench` or `.venv/bin/python benchmarks/report.py [--workers N]`; `--month
reports/2020-05` prints only the sizes and the pictures' cost for a month already built.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
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


#: An unchanged rerun: how many to time (the median is printed) and the aim, in seconds.
RERUNS, RERUN_AIM_S = 5, 1.0


def unchanged_rerun(reports: Path, workers: int) -> float:
    """Median seconds of `fivecolor report` run again with nothing changed, each a new process;
    the benchmark stops if one of them builds instead of reusing the published month."""
    times = []
    for _ in range(RERUNS):
        manifest = reports / "2020-05" / "manifest.json"
        before = manifest.stat().st_mtime_ns
        times.append(fivecolor_report(reports, workers, force=False))
        if manifest.stat().st_mtime_ns != before:
            raise SystemExit("the unchanged rerun built the month again instead of reusing it")
    return statistics.median(times)


#: The pages whose size the committee's budget names (kB): overview < 300, a station page < 80.
SIZED_PAGES = {
    "overview": "index.html",
    "station (meilin)": "stations/meilin.html",
    "robustness": "sensitivity.html",
    "widget": "widget.html",
}
_STILL = re.compile(r'<div class="fc-fallback">.*?</svg></div>', re.S)


def page_sizes(month: Path) -> None:
    """Print each page's size and how much of it is the charts' still pictures."""
    print("page sizes (kB; the still SVG pictures in brackets):")
    for label, name in SIZED_PAGES.items():
        page = (month / name).read_text(encoding="utf-8")
        still = sum(len(m.group(0).encode()) for m in _STILL.finditer(page))
        print(f"  {label:<18} {len(page.encode()) / 1000:7.1f}  ({still / 1000:.1f})")


def still_picture_cost(month: Path) -> None:
    """Time vl-convert (and the compaction) on every chart the month's notebooks drew."""
    from fivecolor.views.fallback import static_svg

    specs = []
    for notebook in sorted((month / "notebooks").rglob("*.ipynb")):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                specs += [
                    spec
                    for kind, spec in output.get("data", {}).items()
                    if kind.startswith("application/vnd.vegalite")
                ]
    static_svg(specs[0])  # the first call starts vl-convert's engine
    times = []
    for spec in specs:
        start = time.perf_counter()
        static_svg(spec)
        times.append(time.perf_counter() - start)
    print(
        f"still pictures: {len(specs)} charts, {sum(times):.1f} s in one process "
        f"(median {statistics.median(times) * 1000:.0f} ms, slowest {max(times):.2f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--month", type=Path, help="a built month: print its sizes only")
    args = parser.parse_args()
    if args.month:
        page_sizes(args.month)
        still_picture_cost(args.month)
        return
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        reports = tmp / "reports"
        month = fivecolor_report(reports, args.workers, force=True)
        pages = len(list((reports / "2020-05").rglob("*.html"))) - 1  # the widget is not a notebook
        rerun = unchanged_rerun(reports, args.workers)
        page_sizes(reports / "2020-05")
        still_picture_cost(reports / "2020-05")
        (tmp / "floor").mkdir()
        floor = papermill_floor(pages, args.workers, tmp / "floor")
    print(f"workers: {args.workers}; notebooks in the month: {pages}")
    print(
        f"papermill floor ({pages} trivial notebooks, fresh kernels, HTML export): {floor:6.1f} s"
    )
    print(f"fivecolor report --force (the sample month, every page):          {month:6.1f} s")
    print(f"ratio month / floor: {month / floor:.2f}  (aim: at most 0.50)")
    print(
        f"unchanged rerun (new process, reuses the published month):       {rerun:6.2f} s  "
        f"(aim: under {RERUN_AIM_S:.0f} s; median of {RERUNS})"
    )


if __name__ == "__main__":
    main()
