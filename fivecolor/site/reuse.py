"""Whether a published month can be reused as it is, decided from the files' bytes alone.

A month is reused when its manifest's reuse key (:func:`fivecolor.site.manifest.key_parts`)
equals the one the parameters, the data files, the notebooks, the package and the libraries
give now, and none of its pages or tables is missing. With the same data files (their SHA-256)
and parameters the tables were valid when the month was published and would score the same,
so nothing is read, validated or scored here: an unchanged rerun costs the hashing and a few
light imports, not pandas, the notebooks or the charts. Rows from a database or the store of
record are known only once pulled, so for those this says nothing and the build decides after
reading them (:func:`fivecolor.site.build.build_month`).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from fivecolor.data.digest import file_sha256
from fivecolor.params import DATA_ROLES, Params, load_params
from fivecolor.resources import notebooks_dir as default_notebooks_dir
from fivecolor.site import manifest
from fivecolor.site.archive import ARCHIVE
from fivecolor.site.publish import VARIANT_PATTERN, check_site_folder, month_folder
from fivecolor.site.sitewide import write_site_wide

__all__ = [
    "MONTH_FILES",
    "data_file_hashes",
    "reuse_message",
    "reuse_published",
    "unchanged_publication",
]

#: Files of a published month besides its pages: a month lacking one is not reused.
MONTH_FILES = ("scores.csv", "scores.xlsx", "widget.html", ARCHIVE)
#: A page's script tag loading a dataset the site stores once (:mod:`fivecolor.views.shared_data`).
_SHARED_DATA_SCRIPT = re.compile(r'<script src="([^"]*assets/data/fc-geo-[0-9a-f]{16}\.js)"')


def data_file_hashes(params: Params) -> dict[str, str] | None:
    """SHA-256 of each data file by role, as :func:`fivecolor.data.dataset.load_data` records
    them; ``None`` when a table comes from a database or the store, or a required file is gone
    (the build then says what is wrong)."""
    hashes = {}
    for role in DATA_ROLES:
        source = getattr(params.data, role)
        required = role in ("stations", "indicators")
        if source is None and not required:
            continue
        if not isinstance(source, Path):
            return None  # a database source or the store of record
        if source.is_file():
            hashes[role] = file_sha256(source)
        elif required:
            return None
    return hashes


def missing_files(month_dir: Path, pages: list[str]) -> str | None:
    """Why a month whose manifest matches cannot be reused: a page or table deleted since, or a
    shared data file a page loads (the maps' shapes under the site's assets)."""
    if not month_dir.is_dir():
        return None  # rebuild_reason has said so
    wanted = [*MONTH_FILES, *pages]
    missing = [name for name in wanted if not (month_dir / name).is_file()]
    where = "the published month"
    if not missing:
        pages_and_widget = [name for name in wanted if name.endswith(".html")]
        missing, where = _missing_shared_data(month_dir, pages_and_widget), "the site's assets"
    if not missing:
        return None
    more = f" and {len(missing) - 1} more files" if len(missing) > 1 else ""
    return f"{missing[0]}{more} missing from {where}"


def _missing_shared_data(month_dir: Path, pages: list[str]) -> list[str]:
    """The site's shared data files (the maps' shapes) a page loads but that are gone."""
    missing = []
    for name in pages:
        page = month_dir / name
        for source in _SHARED_DATA_SCRIPT.findall(page.read_text(encoding="utf-8")):
            if not (page.parent / source).is_file():
                missing.append("/".join(source.split("/")[-3:]))  # assets/data/<name>.js
    return list(dict.fromkeys(missing))


def unchanged_publication(
    params: Params, month_dir: Path, notebooks_dir: Path | None = None, force: bool = False
) -> bool:
    """``month_dir`` holds these parameters' month, built from these very data files, notebooks,
    package and libraries, with every page and table its manifest lists."""
    if force:
        return False
    hashes = data_file_hashes(params)
    if hashes is None:
        return False
    parts = manifest.key_parts(params, hashes, notebooks_dir or default_notebooks_dir())
    if manifest.rebuild_reason(month_dir, parts) is not None:
        return False
    published = manifest.read_manifest(month_dir) or {}
    pages = [entry.get("html", "") for entry in published.get("notebooks", {}).values()]
    return all(pages) and missing_files(month_dir, pages) is None


def reuse_message(period: str, month_dir: Path) -> str:
    return f"{period}: parameters, data, notebooks and code unchanged; reusing {month_dir}"


def reuse_published(
    params_file: Path,
    period: str | None,
    reports_dir: Path,
    *,
    variant: str | None = None,
    notebooks_dir: Path | None = None,
    force: bool = False,
) -> Path | None:
    """The published month, when :func:`unchanged_publication` says it can be reused: the
    site-wide files are written again (:mod:`fivecolor.site.sitewide`) and the reuse is said on
    standard error. ``None`` when the month must be built, or only reading the data can tell.

    Bad parameters raise :class:`~fivecolor.errors.InputError`, as the build would.
    """
    if force or (variant is not None and not VARIANT_PATTERN.match(variant)):
        return None  # the build says what is wrong with the name
    reports_dir = Path(reports_dir)
    check_site_folder(reports_dir)
    params = load_params(params_file, period=period)
    month_dir = month_folder(reports_dir, params.period, variant)
    if not unchanged_publication(params, month_dir, notebooks_dir):
        return None
    print(reuse_message(params.period, month_dir), file=sys.stderr)
    write_site_wide(reports_dir, params)
    return month_dir
