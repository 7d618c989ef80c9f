"""What every published month shares: ``reports/assets``, the months list and ``reports/latest/``.

Written after each publication and on each reuse of a published month; this module imports
nothing of the scoring or the notebooks, so that an unchanged rerun stays light
(:mod:`fivecolor.site.reuse`).
"""

from __future__ import annotations

from pathlib import Path

from fivecolor import __version__
from fivecolor.params import Params
from fivecolor.site import manifest
from fivecolor.site.outputs import atomic_write_text

__all__ = ["write_site_assets", "write_site_wide"]


def write_site_assets(reports_dir: Path) -> None:
    """Write ``reports/assets`` once per package and chart-library version (the bundle is ~1 MB)."""
    import vl_convert

    from fivecolor.site.render import ASSET_FILES, write_assets

    assets = reports_dir / "assets"
    stamp = assets / ".version"
    # vl_convert's stub omits the module's __version__
    vl_version = vl_convert.__version__  # pyright: ignore[reportAttributeAccessIssue]
    wanted = f"fivecolor {__version__} {manifest.package_digest()[:16]} vl-convert {vl_version}\n"
    if (
        stamp.is_file()
        and stamp.read_text() == wanted
        and all((assets / f).is_file() for f in ASSET_FILES)
    ):
        return
    write_assets(assets)
    atomic_write_text(stamp, wanted)


def write_site_wide(reports_dir: Path, params: Params) -> None:
    """What every month shares, after a publication: the assets, the months list and
    ``reports/latest/`` (:mod:`fivecolor.site.latest`), all read from what is published."""
    from fivecolor.site.latest import write_latest
    from fivecolor.site.publish import write_site_index

    write_site_assets(reports_dir)
    write_site_index(reports_dir, params.label(params.title), params.language)
    write_latest(reports_dir)
