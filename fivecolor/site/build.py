"""Building a month's site: score, run the notebooks, render, publish atomically.

``reports/<period>/`` is built in a staging folder beside it and swapped in only when every
notebook succeeded, so a failed run never replaces or half-overwrites a good month. A rerun
whose parameters, inputs, notebooks and package are unchanged reuses the published month.
"""

from __future__ import annotations

import contextlib
import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import jinja2
from markupsafe import Markup
from rich.console import Console
from rich.table import Table

from fivecolor import __version__
from fivecolor.analysis.month import colour_summary
from fivecolor.analysis.published import published_months
from fivecolor.data.dataset import load_data
from fivecolor.data.projects import load_projects
from fivecolor.params import Params, load_params
from fivecolor.resources import notebooks_dir as default_notebooks_dir
from fivecolor.scoring.pipeline import ScoreResult, score
from fivecolor.site import manifest, publications
from fivecolor.site.archive import ARCHIVE, pack_notebooks
from fivecolor.site.inputs import SNAPSHOT_DIR, input_files, manifest_inputs, snapshot_inputs
from fivecolor.site.outputs import (
    atomic_write_text,
    os_error_text,
    write_actions,
    write_csv,
    write_xlsx,
)
from fivecolor.site.plan import assets_url, notebook_jobs, plan_pages
from fivecolor.site.reuse import missing_files, reuse_message, unchanged_publication
from fivecolor.site.sitewide import write_site_assets, write_site_wide
from fivecolor.views.common import scores_file
from fivecolor.views.text import band_label, text


def print_colour_summary(result: ScoreResult, console: Console | None = None) -> None:
    """The month's colours as a small table on the terminal."""
    console = console or Console()
    lang = result.params.language
    from rich.markup import escape

    from fivecolor.views.theme import BAND_COLOURS  # loads the chart library: only when printing

    # the title is the user's text: "[/]" in it is not rich markup
    table = Table(
        title=escape(f"{result.params.label(result.params.title)} · {result.params.period}")
    )
    for column in ("band", "count", "change"):
        table.add_column(column, justify="left" if column == "band" else "right")
    for row in colour_summary(result).itertuples():
        band = str(row.band)
        table.add_row(
            f"[{BAND_COLOURS[band]}]■[/] {band_label(band, lang)}",
            str(row.count),
            f"{row.change:+d}",
        )
    console.print(table)


class ReportFailed(RuntimeError):
    """Some notebooks failed; the month was not published."""


# -- what decides a month: the cache key ---------------------------------------------------
# -- the pages -----------------------------------------------------------------------------
def write_month_data(reports_dir: Path, result: ScoreResult) -> None:
    """Write the datasets the month's maps share (``reports/assets/data/``): the pages that
    draw a map load them (:mod:`fivecolor.views.shared_data`)."""
    from fivecolor.site.render import write_shared_data
    from fivecolor.views.maps import map_datasets

    write_shared_data(reports_dir / "assets", map_datasets(result))


def write_widget(
    result: ScoreResult, path: Path, assets: str = "../assets", banner: str | None = None
) -> None:
    """Write the intranet home page's floating window (:mod:`fivecolor.views.widget`) as a page."""
    from fivecolor.site.render import render_page
    from fivecolor.views.widget import widget_body, widget_title

    page = render_page(
        widget_title(result),
        widget_body(result),
        assets,
        language=result.params.language,
        banner=banner,
        body_class="fc-widget-body",
    )
    atomic_write_text(path, page)


_ACTIONS_LIST = jinja2.Environment(autoescape=True).from_string(
    "<h1>{{ title }}</h1>\n<p>{{ intro }}</p>\n<ul>\n"
    '{% for name in names %}<li><a href="{{ name }}" download>{{ name }}</a></li>\n{% endfor %}'
    "</ul>\n"
    "{% if departments %}"
    '<h2 id="{{ departments_id }}">{{ departments_title }}</h2>\n'
    '<p>{{ departments_intro }}</p>\n<p class="fc-muted">{{ departments_count }}</p>\n'
    "{{ departments }}"
    "{% endif %}"
)


def write_actions_index(
    result: ScoreResult, actions_dir: Path, names: list[str], month_depth: int, banner: str | None
) -> None:
    """``actions/index.html``: the month's action tables as download links, with the site's bar,
    then every row of department help, a table per department (the overview shows one row per
    department and links here; a large month leaves the rows to ``departments.csv``)."""
    from fivecolor.analysis.actions import department_help
    from fivecolor.site.navigation import nav_html
    from fivecolor.site.render import render_page
    from fivecolor.views.action_tables import DEPARTMENT_LISTS_ID, department_lists_html
    from fivecolor.views.large_month import is_large

    params = result.params
    language = params.language
    page = "actions/index.html"
    title = text("actions.index_title", language, period=params.period)
    help_rows = department_help(result) if not is_large(result) else None
    body = _ACTIONS_LIST.render(
        title=title,
        intro=text("actions.index_intro", language),
        names=names,
        departments=Markup(department_lists_html(result, help_rows, "../stations/"))
        if help_rows is not None and len(help_rows)
        else None,
        departments_id=DEPARTMENT_LISTS_ID,
        departments_title=text("overview.departments", language),
        departments_intro=text("overview.departments.intro", language),
        departments_count=text(
            "action.full_list", language, n=0 if help_rows is None else len(help_rows)
        ),
    )
    nav = nav_html(params.period, page, month_depth, params.language)
    html = render_page(
        title,
        body,
        assets_url(page, month_depth),
        language=params.language,
        banner=banner,
        nav=nav,
    )
    atomic_write_text(actions_dir / "index.html", html)


def _keep_failed(staging: Path, reports_dir: Path, month: str, failed) -> Path:
    """Move the failed executed notebooks out of the staging folder before it is discarded.

    ``month`` is the month folder relative to ``reports_dir`` (``2020-05``, or a variant's
    ``2020-05/variants/<name>``).
    """
    keep = reports_dir / "_failed" / month
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
    from fivecolor.data.geography import station_areas
    from fivecolor.errors import InputError

    boundaries = params.data.boundaries
    try:
        station_areas(result.data.stations.reset_index(), boundaries)
    except ValueError as exc:
        if boundaries is not None:
            raise InputError("data.boundaries", "", str(exc)) from None
        stations = params.data.stations
        # rows pulled from a database are named by their key, as validation names them
        source = stations if isinstance(stations, Path) else "data.stations"
        raise InputError(source, "", f"{exc}; correct the station's county or lat/lon") from None


@contextlib.contextmanager
def _unpublished_on_os_error(period: str):
    """A write error while building (a full disk, a lost folder) is a failed report, said in one line."""
    try:
        yield
    except OSError as exc:
        raise ReportFailed(
            f"could not write the report ({os_error_text(exc)}), so {period} was not "
            "published (the earlier site stays)"
        ) from exc


def build_month(
    params_file: Path,
    period: str | None = None,
    reports_dir: Path = Path("reports"),
    workers: int | None = None,
    force: bool = False,
    progress: bool = True,
    notebooks_dir: Path | None = None,
    console: Console | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    replace: bool = False,
    variant: str | None = None,
) -> Path:
    """Build and publish one month's site; return its folder.

    A published month is not rebuilt with other parameters or data (:class:`InputError`)
    unless ``replace`` (the old site is kept beside it as ``<period>.replaced-<time>``) or
    ``variant``, which publishes under ``<period>/variants/<variant>/`` with a notice on every
    page and leaves the official month's files as they are.

    ``executor`` says where the notebooks run (:mod:`fivecolor.site.executors`): ``"local"`` worker
    processes, or ``"dask"`` on the cluster at ``scheduler`` (a local one when ``None``); the
    pages and files are the same.

    Raises :class:`~fivecolor.errors.InputError` for bad parameters or data (before anything is
    written), :class:`ReportFailed` when a notebook fails (nothing is published) and
    :class:`~fivecolor.site.publish.ReportLocked` when the month is being built by another process.
    """
    from fivecolor.errors import InputError
    from fivecolor.site.publish import (
        VARIANT_PATTERN,
        check_site_folder,
        month_folder,
        publish_month,
    )
    from fivecolor.site.runner import run_notebooks
    from fivecolor.views.text import text

    if variant is not None and not VARIANT_PATTERN.match(variant):
        raise InputError(
            "--variant",
            "",
            f"{variant!r}: use letters, digits, '_', '.' or '-' (it names a folder)",
        )

    check_site_folder(reports_dir)  # never a site index over a published month's own page
    console = console or Console(stderr=True)
    started = datetime.now(UTC)
    params = load_params(params_file, period=period)
    reports_dir = Path(reports_dir)
    month_dir = month_folder(reports_dir, params.period, variant)
    if unchanged_publication(params, month_dir, notebooks_dir, force=force):
        # decided from the files' bytes: nothing is read or scored
        console.print(reuse_message(params.period, month_dir))
        write_site_wide(reports_dir, params)
        return month_dir
    data = load_data(params)
    # earlier months as published: movers, changes and history compare with those
    result = published_months(score(data, params)).result
    # a bad projects table stops the report before any notebook runs
    load_projects(params, data.station_ids)
    check_base_map(params, result)
    inputs = input_files(params, data)
    notebooks_dir = Path(notebooks_dir or default_notebooks_dir())
    # the parameter files count through the validated parameters, not their bytes
    key_parts = manifest.key_parts(
        params, {role: data.inputs[role].sha256 for role in data.inputs}, notebooks_dir
    )
    key = manifest.cache_key(key_parts)
    conflict = (
        manifest.publication_conflict(month_dir, key_parts)
        or publications.store_conflict(params, key_parts["data"])
        if variant is None
        else None
    )
    if conflict and not replace:
        raise InputError(
            month_dir,
            "",
            f"{params.period} is published with {conflict}; --replace republishes it (the old "
            "site is kept beside it), --variant NAME publishes these results beside it",
        )
    pages = plan_pages(params, Path(params_file), data.station_ids, notebooks_dir)
    reason = manifest.rebuild_reason(month_dir, key_parts, force=force) or missing_files(
        month_dir, [page.html for page in pages]
    )
    if reason is None:
        console.print(reuse_message(params.period, month_dir))
        write_month_data(reports_dir, result)
        write_site_wide(reports_dir, params)
        return month_dir
    console.print(
        f"{params.period}{f' variant {variant}' if variant else ''}: building: {reason}",
        highlight=False,
    )
    kept = (
        reports_dir / f"{params.period}.replaced-{started:%Y%m%dT%H%M%SZ}"
        if conflict and replace and month_dir.exists()
        else None
    )
    depth = len(month_dir.relative_to(reports_dir).parts)
    banner = (
        text("variant.banner", params.language, name=variant, period=params.period)
        if variant
        else None
    )

    with (
        _unpublished_on_os_error(params.period),
        publish_month(reports_dir, params.period, variant=variant, keep_old_as=kept) as staging,
    ):

        def side_outputs() -> None:
            # written by the main process while the workers run the notebooks
            snapshot_inputs(inputs, staging / SNAPSHOT_DIR)
            table = scores_file(result)
            write_csv(table, staging / "scores.csv")
            write_xlsx(table, staging / "scores.xlsx")
            written = write_actions(result, staging / "actions")
            write_actions_index(
                result, staging / "actions", [p.name for p in written.values()], depth, banner
            )
            write_widget(result, staging / "widget.html", assets_url("widget.html", depth), banner)

        jobs = notebook_jobs(params, pages, notebooks_dir, staging, depth, banner)
        with ThreadPoolExecutor(max_workers=1) as side:
            side_done = side.submit(side_outputs)
            if executor == "local" and scheduler is None:
                outcomes = run_notebooks(jobs, workers=workers, progress=progress)
            else:
                from fivecolor.site.executors import get_executor
                from fivecolor.site.inputs import make_bundle

                with get_executor(executor, workers=workers, scheduler=scheduler) as pool:
                    # the workers read the very data this month was scored from
                    bundles = {str(Path(params_file).resolve()): make_bundle(params, data.inputs)}
                    outcomes = pool.run_notebooks(jobs, progress=progress, bundles=bundles)
            side_done.result()
        failed = [(o, page) for o, page in zip(outcomes, pages, strict=True) if o.status != "ok"]
        if failed:
            failed_dir = _keep_failed(
                staging, reports_dir, month_dir.relative_to(reports_dir).as_posix(), failed
            )
            first = failed[0][0].error
            raise ReportFailed(
                f"{len(failed)} of {len(pages)} notebooks failed, so {params.period} was not "
                f"published (the earlier site stays); executed notebooks kept in {failed_dir}; "
                f"first: {first}"
            )
        pack_notebooks(staging)  # only a month that succeeded: failed notebooks stay plain files
        # shared by every month, and complete before the month that loads them is published;
        # a failed run (above) leaves them as they were
        write_site_assets(reports_dir)
        write_month_data(reports_dir, result)
        finished = datetime.now(UTC)
        manifest.write_manifest(
            staging / manifest.MANIFEST,
            {
                "status": "ok",
                "period": params.period,
                "variant": variant,
                "cache_key": key,
                # the parameters are "params" below; rebuild_reason reads them there
                "key_parts": {k: v for k, v in key_parts.items() if k != "parameters"},
                "fivecolor_version": __version__,
                "git_commit": manifest.git_commit(),
                "lock_sha256": manifest.lock_sha256(),
                "params_digest": params.digest(),
                "params": params.model_dump(mode="json"),
                "inputs": manifest_inputs(inputs),
                "learned": result.learned_,
                # each notebook's "executed" path is its member in this archive
                "executed_archive": ARCHIVE,
                "notebooks": {
                    page.label: {
                        "notebook": page.notebook,
                        "html": page.html,
                        "executed": page.executed,
                        "parameters": page.parameters,
                        "status": o.status,
                    }
                    for o, page in zip(outcomes, pages, strict=True)
                },
                "times": {
                    "started": started.isoformat(),
                    "finished": finished.isoformat(),
                    "seconds": {
                        page.label: round(o.seconds, 3)
                        for o, page in zip(outcomes, pages, strict=True)
                    },
                },
            },
        )
    publications.record_publication(result, key_parts["data"], month_dir, variant)
    # the months list and reports/latest/ name only what is published; the assets are already there
    write_site_wide(reports_dir, params)
    if kept is not None:
        console.print(f"{params.period}: replaced; the earlier site is kept as {kept}")
    print_colour_summary(result, console)
    return month_dir
