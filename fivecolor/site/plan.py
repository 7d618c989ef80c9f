"""The pages of a month's site: which notebook makes which page, with which parameters."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fivecolor.params import Params
from fivecolor.site.navigation import nav_html
from fivecolor.site.runner import NotebookJob


@dataclass(frozen=True)
class Page:
    """One notebook run of the site: which notebook, which page, which parameters."""

    notebook: str
    html: str  # relative to the month folder
    executed: str  # relative to the month folder
    label: str
    parameters: dict


def plan_pages(params: Params, params_file: Path, station_ids, notebooks_dir: Path) -> list[Page]:
    common = {"params_file": str(params_file.resolve()), "period": params.period}
    pages = [Page("overview.ipynb", "index.html", "notebooks/overview.ipynb", "overview", common)]
    if (notebooks_dir / "sensitivity.ipynb").exists():
        pages.append(
            Page(
                "sensitivity.ipynb",
                "sensitivity.html",
                "notebooks/sensitivity.ipynb",
                "sensitivity",
                common,
            )
        )
    pages += [
        Page(
            "station.ipynb",
            f"stations/{sid}.html",
            f"notebooks/stations/{sid}.ipynb",
            f"station {sid}",
            {**common, "station_id": str(sid)},
        )
        for sid in station_ids
    ]
    return pages


def assets_url(page_html: str, month_depth: int = 1) -> str:
    """The shared ``reports/assets`` folder as seen from a page of the month folder.

    ``month_depth`` is how many folders below ``reports/`` the month folder is: 1 for
    ``reports/2020-05``, 3 for a variant's ``reports/2020-05/variants/<name>``.
    """
    return "/".join([".."] * (page_html.count("/") + month_depth)) + "/assets"


def notebook_jobs(
    params: Params,
    pages: list[Page],
    notebooks_dir: Path,
    out: Path,
    month_depth: int = 1,
    banner: str | None = None,
) -> list[NotebookJob]:
    """The pages as notebook jobs: executed notebooks and HTML pages under the month folder ``out``.

    ``month_depth`` places the month folder under ``reports/`` (:func:`assets_url`); ``banner``
    is shown on every page (a variant's notice).
    """
    return [
        NotebookJob(
            input_path=notebooks_dir / page.notebook,
            output_path=out / page.executed,
            parameters=page.parameters,
            cwd=notebooks_dir,
            html_path=out / page.html,
            label=page.label,
            assets_url=assets_url(page.html, month_depth),
            title=f"{params.label(params.title)} · {params.period} · {page.label}",
            language=params.language,
            banner=banner,
            nav=nav_html(params.period, page.html, month_depth, params.language),
        )
        for page in pages
    ]
