"""Offline HTML: executed notebooks and plain pages that load nothing from the network.

A month's site keeps its scripts and styles once, in an assets folder
(:func:`write_assets`): ``vega-bundle.js`` (Vega, Vega-Lite and vega-embed, from
vl-convert), ``notebook.css`` (JupyterLab's styles that nbconvert would otherwise inline
in every page) and ``fivecolor.css``. Pages link them through a relative ``assets_url``.

Charts arrive in the executed notebooks already embedded for the page's bundle
(:mod:`fivecolor.views.embed`).

Examples
--------
>>> from fivecolor.site.render import render_html, write_assets
>>> write_assets(site / "assets")                                  # doctest: +SKIP
>>> html = render_html(executed_nb, assets_url="../assets")        # doctest: +SKIP
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

from fivecolor.site.outputs import atomic_write_bytes
from fivecolor.views import shared_data

if TYPE_CHECKING:  # read when a notebook is rendered: a page without one needs no nbformat
    import nbformat

__all__ = [
    "ASSET_FILES",
    "network_urls",
    "render_html",
    "render_page",
    "write_assets",
    "write_shared_data",
]

TEMPLATES_DIR = Path(__file__).parent / "templates"
OFFLINE_DIR = TEMPLATES_DIR / "offline"
ASSET_FILES = ("vega-bundle.js", "notebook.css", "fivecolor.css")

_exporter = None


# ---------------------------------------------------------------------------- assets
def _lab_static(name: str) -> str:
    """Text of one of nbconvert's ``lab/static`` files (as found by the exporter)."""
    for base in _get_exporter().template_paths:
        candidate = Path(base) / "static" / name
        if Path(base).name == "lab" and candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    raise FileNotFoundError(f"nbconvert lab template file static/{name} not found")


def notebook_css() -> str:
    """The CSS the lab template inlines in every page (light theme), as one file."""
    import nbformat
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor

    # the highlighting styles nbconvert would inline in every page, before the rest (no user
    # custom.css is looked for: the folder holds none)
    _, resources = CSSHTMLHeaderPreprocessor().preprocess(
        nbformat.v4.new_notebook(), {"config_dir": str(OFFLINE_DIR)}
    )
    parts = [
        *resources["inlining"]["css"],
        _lab_static("index.css"),
        _lab_static("theme-light.css"),
        (OFFLINE_DIR / "static" / "lab-extra.css").read_text(encoding="utf-8"),
    ]
    return "\n".join(parts)


def write_assets(assets_dir: Path) -> dict[str, Path]:
    """Write the site's shared scripts and styles into ``assets_dir``.

    Returns
    -------
    dict
        File name to path, for :data:`ASSET_FILES`.
    """
    from fivecolor.views.embed import component_css, vega_bundle

    assets_dir = Path(assets_dir)
    frame_css = (OFFLINE_DIR / "static" / "fivecolor.css").read_text(encoding="utf-8")
    contents = {
        "vega-bundle.js": vega_bundle(),
        "notebook.css": notebook_css(),
        "fivecolor.css": frame_css + component_css(),
    }
    written = {}
    for name, text in contents.items():
        atomic_write_bytes(assets_dir / name, text.encode("utf-8"))
        written[name] = assets_dir / name
    return written


def write_shared_data(assets_dir: Path, datasets: Mapping[str, object]) -> list[Path]:
    """Write each shared dataset as ``assets_dir/data/<name>.js``
    (:func:`fivecolor.views.shared_data.data_script`).

    A name is a digest of the values, so a file already there is left as it is.
    """
    folder = Path(assets_dir) / shared_data.DATA_FOLDER
    written = []
    for name, values in datasets.items():
        path = folder / f"{name}.js"
        if not path.is_file():
            atomic_write_bytes(path, shared_data.data_script(name, values).encode("utf-8"))
        written.append(path)
    return written


# ---------------------------------------------------------------------------- pages
def _exporter_class():
    """nbconvert's HTMLExporter without the BeautifulSoup pass that ends its export, where
    the page shows HTML outputs only.

    That pass parses and re-serialises the whole page to add ``tabindex="0"`` to each output
    and to markdown cells (and an ``alt`` to images without one): 0.09 s of a station page's
    0.12 s render. A report page shows HTML outputs only (tables, sentences, charts), and the
    template (``offline/index.html.j2``) writes their ``tabindex`` itself; the steps before the
    pass are nbconvert's own, as in ``HTMLExporter.from_notebook_node``. A page with anything
    else (a failed page's banner and traceback, text, images, markdown) is exported by nbconvert
    as it is. ``tests/test_render.py`` compares both with nbconvert's own exporter.
    """
    from nbconvert.exporters import HTMLExporter, TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class OfflineHTMLExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            if not _shows_html_only(nb, self.config.TagRemovePreprocessor.remove_cell_tags):
                return super().from_notebook_node(nb, resources, **kw)
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", filter_data_type)
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return OfflineHTMLExporter


#: Output types that nbconvert's page would show before a notebook's ``text/html``.
_BEFORE_HTML = ("application/vnd.jupyter.widget-view+json", "application/javascript")


def _shows_html_only(nb: nbformat.NotebookNode, removed_tags) -> bool:
    """Whether every output the page shows is ``text/html`` and no markdown cell is shown."""
    for cell in nb.cells:
        if set(cell.get("metadata", {}).get("tags", [])) & set(removed_tags):
            continue
        if cell.cell_type == "markdown":
            return False
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if (
                output.get("output_type") not in ("display_data", "execute_result")
                or "text/html" not in data
                or any(kind in data for kind in _BEFORE_HTML)
            ):
                return False
    return True


def _get_exporter():
    """This process's one HTMLExporter (loading the templates costs about 0.4 s)."""
    global _exporter
    if _exporter is None:
        from traitlets.config import Config

        # Cells tagged "notes" narrate the notebook for its editors, not for the committee.
        # The highlighting styles go once into notebook.css, not into every page.
        config = Config(
            {
                "TagRemovePreprocessor": {"enabled": True, "remove_cell_tags": {"notes"}},
                "CSSHTMLHeaderPreprocessor": {"enabled": False},
            }
        )
        _exporter = _exporter_class()(
            config=config,
            template_name="offline",
            extra_template_basedirs=[str(TEMPLATES_DIR)],
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
        )
    return _exporter


def render_html(
    nb: nbformat.NotebookNode | str | os.PathLike[str],
    assets_url: str,
    *,
    title: str | None = None,
    language: str = "en",
    banner: str | None = None,
    nav: str | None = None,
) -> str:
    """Render an executed notebook to an offline HTML page without code.

    Parameters
    ----------
    nb
        The executed notebook, or the path of one.
    assets_url
        URL of the assets folder relative to the page, e.g. ``"../assets"``.
    title
        Page title; default the notebook's ``metadata.title`` or ``"Report"``.
    language
        ``<html lang>`` value, e.g. ``"zh"``.
    banner
        A notice above the page's content (escaped), e.g. that it is a variant.
    nav
        The navigation bar's HTML (already escaped), placed first in the page.
    """
    import nbformat

    notebook = (
        nb if isinstance(nb, nbformat.NotebookNode) else nbformat.read(os.fspath(nb), as_version=4)
    )
    exporter = _get_exporter()
    exporter.language_code = language
    resources = {
        "assets_url": assets_url.rstrip("/") or ".",
        "shared_data": shared_data.names_used(_html_outputs(notebook)),
        # the highlighting styles are in notebook.css (CSSHTMLHeaderPreprocessor is off)
        "inlining": {"css": []},
        "metadata": {"name": title or notebook.metadata.get("title") or "Report"},
        "banner": banner,
        "nav": nav,
    }
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    return body


def _html_outputs(notebook: nbformat.NotebookNode) -> str:
    """The HTML every output of the notebook shows, as one text."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            html_text = output.get("data", {}).get("text/html", "")
            parts.append(html_text if isinstance(html_text, str) else "".join(html_text))
    return "\n".join(parts)


def shared_data_scripts(body_html: str, assets: str) -> str:
    """``<script>`` tags loading the shared datasets the page's charts read
    (:mod:`fivecolor.views.shared_data`); ``assets`` is the escaped assets URL."""
    return "".join(
        f'<script src="{assets}/{shared_data.DATA_FOLDER}/{name}.js"></script>\n'
        for name in shared_data.names_used(body_html)
    )


def render_page(
    title: str,
    body_html: str,
    assets_url: str,
    *,
    language: str = "en",
    banner: str | None = None,
    nav: str | None = None,
    body_class: str | None = None,
) -> str:
    """A standalone page (no notebook) styled like the reports.

    ``body_html`` is inserted as is (escape any user text in it); ``banner`` (escaped) goes
    above it, as on notebook pages; ``nav`` (HTML) is the navigation bar. The chart bundle is
    linked when the body draws charts (contains ``vegaEmbed(``, see
    :func:`fivecolor.views.embed.chart_html`). ``body_class`` styles the whole page (the home
    page's window is ``fc-widget-body``).
    """
    assets = html.escape(assets_url.rstrip("/") or ".", quote=True)
    script = (
        f'<script src="{assets}/vega-bundle.js"></script>\n'
        + shared_data_scripts(body_html, assets)
        if "vegaEmbed(" in body_html
        else ""
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html.escape(language, quote=True)}">\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f"<title>{html.escape(title)}</title>\n"
        f'<link rel="stylesheet" href="{assets}/fivecolor.css">\n'
        f"{script}</head>\n"
        + (f'<body class="{html.escape(body_class, quote=True)}">\n' if body_class else "<body>\n")
        + f'{nav or ""}<main class="fc-page">\n{banner_html(banner)}{body_html}\n'
        "</main>\n</body>\n</html>\n"
    )


def banner_html(banner: str | None) -> str:
    """The notice at the top of a page (the template's ``fc-banner``), escaped; ``""`` for none."""
    if not banner:
        return ""
    return f'<div class="fc-banner" role="note">{html.escape(banner)}</div>\n'


# ---------------------------------------------------------------------------- checks
class _UrlCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"src", "href", "srcset", "action", "data", "poster"} and value:
                self.urls.append(value.strip())


_CSS_URL = re.compile(r"""(?:@import\s+|url\(\s*)["']?\s*(?:https?:)?//""", re.IGNORECASE)


def network_urls(page: str) -> list[str]:
    """Attribute URLs (``src``, ``href``, ...) and CSS ``url()``/``@import`` targets that
    point at the network: an offline page has none."""
    collector = _UrlCollector()
    collector.feed(page)
    remote = [u for u in collector.urls if re.match(r"(?i)^(https?:)?//", u)]
    remote += [m.group(0) for m in _CSS_URL.finditer(page)]
    return remote
