"""The whole sample month against the floor of Papermill itself, and an unchanged rerun.

The floor: as many trivial notebooks as the month has pages (a parameters cell and a print),
each executed by Papermill's default engine (a fresh kernel per notebook) and exported to HTML,
with the same number of worker processes, measured in the same run. The month: `fivecolor
report --force` on the sample. The rerun: `fivecolor report` again with nothing changed, as a
new process (what an analyst waits for).

Then the pages' sizes against their aims (the overview under 300 kB, a station page under 80 kB;
the robustness page and the home page's window, with the part that is the charts' still SVG
pictures), the month folder's size against its aim of 5 MB with its biggest parts, and what
drawing those pictures costs: vl-convert run again on every chart spec of the executed
notebooks, one process.

Then the warm station page: what one more station page costs a worker whose kernel has the
month already (`--station-pages PARAMS` prints only that, e.g. for a 3,000-station company).

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


#: The pages whose size the committee's budget names, with their aims in kB (None: no aim).
SIZED_PAGES = {
    "overview": ("index.html", 300),
    "station (meilin)": ("stations/meilin.html", 80),
    "robustness": ("sensitivity.html", None),
    "widget": ("widget.html", None),
}
#: The month folder's aim, in MB.
MONTH_AIM_MB = 5
_STILL = re.compile(r'<div class="fc-fallback">.*?</svg></div>', re.S)


def page_sizes(month: Path) -> None:
    """Print each page's size against its aim and how much of it is the charts' still pictures,
    and the station pages' largest."""
    print("page sizes (kB; the still SVG pictures in brackets):")
    for label, (name, aim) in SIZED_PAGES.items():
        page = (month / name).read_text(encoding="utf-8")
        still = sum(len(m.group(0).encode()) for m in _STILL.finditer(page))
        against = f"  (aim: under {aim})" if aim else ""
        print(f"  {label:<18} {len(page.encode()) / 1000:7.1f}  ({still / 1000:.1f}){against}")
    stations = {p.name: p.stat().st_size for p in (month / "stations").glob("*.html")}
    heaviest = max(stations, key=stations.__getitem__)
    print(f"  heaviest station  {stations[heaviest] / 1000:7.1f}  ({heaviest}; aim: under 80)")


def month_size(month: Path) -> None:
    """Print the month folder's size against its aim, with its biggest parts."""
    sizes = {p.relative_to(month): p.stat().st_size for p in month.rglob("*") if p.is_file()}
    parts: dict[str, int] = {}
    for path, size in sizes.items():
        top = path.parts[0] + ("/" if len(path.parts) > 1 else "")
        parts[top] = parts.get(top, 0) + size
    total = sum(sizes.values())
    print(f"month folder: {total / 1e6:.2f} MB (aim: at most {MONTH_AIM_MB} MB); biggest parts:")
    for name, size in sorted(parts.items(), key=lambda item: -item[1])[:6]:
        print(f"  {name:<18} {size / 1e6:6.2f} MB")
    assets = month.parent / "assets"
    if assets.is_dir():  # shared by every month; the bundle is written once per version
        shared = sum(p.stat().st_size for p in assets.rglob("*") if p.is_file())
        print(f"  (the site's shared assets/, outside the month: {shared / 1e6:.2f} MB)")


def still_picture_cost(month: Path) -> None:
    """Time vl-convert (and the compaction) on every chart the month's notebooks drew."""
    from fivecolor.site.archive import executed_files
    from fivecolor.views.fallback import static_svg

    specs = []
    for _, notebook in executed_files(month):
        for cell in json.loads(notebook.decode("utf-8"))["cells"]:
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


# ---------------------------------------------------------------------------- warm station page
def warm_page_cost(params_file: Path, pages: int = 20, warm_up: int = 3) -> None:
    """Print what one more station page costs on a warm worker: the median over ``pages`` pages
    after ``warm_up`` (the first builds the month), each run as the report runs it (Papermill on
    the worker's warm kernel, the executed notebook written, the page rendered), in this process.

    Beside it, the older figures' method: the sum of Papermill's per-cell durations
    (``metadata.papermill.duration``), and the HTML render alone.
    """
    import fivecolor.site.render as site_render
    import fivecolor.site.runner as runner
    from fivecolor.data.dataset import load_data
    from fivecolor.params import load_params
    from fivecolor.resources import notebooks_dir
    from fivecolor.site.plan import notebook_jobs, plan_pages

    params = load_params(params_file)
    station_ids = list(load_data(params).station_ids[: warm_up + pages])
    render_seconds: list[float] = []
    real_render = site_render.render_html

    def timed_render(*args, **kwargs):
        start = time.perf_counter()
        try:
            return real_render(*args, **kwargs)
        finally:
            render_seconds.append(time.perf_counter() - start)

    site_render.render_html = timed_render
    try:
        with tempfile.TemporaryDirectory() as tmp:
            plan = plan_pages(params, params_file, station_ids, notebooks_dir())
            jobs = [
                job
                for job in notebook_jobs(params, plan, notebooks_dir(), Path(tmp))
                if job.label.startswith("station ")
            ]
            totals, cells = [], []
            for k, job in enumerate(jobs):
                result = runner.run_notebook(job)
                if result.error:
                    raise SystemExit(result.error)
                if k < warm_up:
                    continue
                totals.append(result.seconds)
                executed = json.loads(Path(job.output_path).read_text(encoding="utf-8"))
                cells.append(
                    sum(
                        cell["metadata"].get("papermill", {}).get("duration") or 0.0
                        for cell in executed["cells"]
                    )
                )
    finally:
        site_render.render_html = real_render
        # imported after Papermill, whose engine registry imports it first
        from fivecolor.site.engine import shutdown_warm_kernels

        shutdown_warm_kernels()
    renders = render_seconds[warm_up:]
    print(
        f"warm station page ({len(station_ids):,} of the month's pages run, median of {len(totals)} "
        f"after {warm_up}; {params.period}, {len(load_data(params).station_ids):,} stations):"
    )
    print(
        f"  per page, executed + written + rendered: {statistics.median(totals):6.3f} s  "
        "(aim: at most 0.10 s)"
    )
    print(f"  of which Papermill's cell durations:     {statistics.median(cells):6.3f} s")
    print(f"  of which the HTML render:                {statistics.median(renders):6.3f} s")
    print(f"  load average: {os.getloadavg()[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--month", type=Path, help="a built month: print its sizes only")
    parser.add_argument(
        "--station-pages",
        type=Path,
        metavar="PARAMS",
        help="print only the warm station page's cost for this parameter file (e.g. a "
        "3,000-station company made by `fivecolor sample --stations 3000`)",
    )
    args = parser.parse_args()
    if args.station_pages:
        warm_page_cost(args.station_pages)
        return
    if args.month:
        page_sizes(args.month)
        month_size(args.month)
        still_picture_cost(args.month)
        return
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        reports = tmp / "reports"
        month = fivecolor_report(reports, args.workers, force=True)
        pages = len(list((reports / "2020-05").rglob("*.html"))) - 1  # the widget is not a notebook
        rerun = unchanged_rerun(reports, args.workers)
        page_sizes(reports / "2020-05")
        month_size(reports / "2020-05")
        still_picture_cost(reports / "2020-05")
        (tmp / "floor").mkdir()
        floor = papermill_floor(pages, args.workers, tmp / "floor")
    warm_page_cost(PARAMS)
    print(f"workers: {args.workers}; notebooks in the month: {pages}")
    print(
        f"papermill floor ({pages} trivial notebooks, fresh kernels, HTML export): {floor:6.1f} s"
    )
    print(f"fivecolor report --force (the sample month, every page):          {month:6.1f} s")
    print(f"ratio month / floor: {month / floor:.2f}  (aim: at most 0.35)")
    print(
        f"unchanged rerun (new process, reuses the published month):       {rerun:6.2f} s  "
        f"(aim: under {RERUN_AIM_S:.0f} s; median of {RERUNS})"
    )


if __name__ == "__main__":
    main()
