"""What the report notebooks call: open a month once, then headings and links in its language.

A notebook's first code cell after its parameters calls :func:`open_month`, which loads and
validates the parameter file exactly as the command line does (``extends``, relative paths),
scores the month and sets up the chart theme. Within one kernel the scored month is cached on
the files' contents, so the 60 station pages of a report score the month once per worker.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from fivecolor.dataset import Dataset, load_data
from fivecolor.io import file_sha256
from fivecolor.pagetext import page_text
from fivecolor.params import Params, load_params
from fivecolor.scoring import ScoreResult, score


@dataclass(frozen=True)
class Month:
    """A validated, scored month: what every page shows."""

    params: Params
    data: Dataset
    result: ScoreResult

    @property
    def language(self) -> str:
        return self.params.language

    def text(self, key: str, **values) -> str:
        """A page text in the month's language, with ``{placeholders}`` filled (values escaped)."""
        return page_text(key, self.language).format(**{k: html.escape(str(v)) for k, v in values.items()})

    def station_name(self, station_id: str) -> str:
        row = self.data.stations.loc[station_id]
        if self.language == "en" and isinstance(row.get("name_en"), str) and row["name_en"]:
            return row["name_en"]
        return row["name"]


def _fingerprint(params: Params) -> tuple[str, ...]:
    files = [*params.sources, *(str(p) for p in (params.data.stations, params.data.indicators,
                                                  params.data.boundaries, params.data.projects) if p)]
    return tuple(f"{f}:{file_sha256(Path(f))}" for f in files if Path(f).is_file())


_months: dict[tuple, Month] = {}


def open_month(params_file: str | Path, period: str | None = None) -> Month:
    """Load, validate and score the month a parameter file describes; set up the charts."""
    from fivecolor import charts

    params = load_params(params_file, period=period)
    charts.setup(params.language)
    key = (params.model_dump_json(), _fingerprint(params))
    if key not in _months:
        data = load_data(params)
        if len(_months) >= 4:
            _months.clear()
        _months[key] = Month(params=params, data=data, result=score(data, params))
    return _months[key]


def show_heading(month: Month, key: str, level: int = 2, **values) -> None:
    """Display a section heading (and its intro text, when the catalogue has ``<key>.intro``)."""
    from IPython.display import HTML, display

    parts = [f"<h{level}>{month.text(key, **values)}</h{level}>"]
    try:
        parts.append(f'<p class="fc-intro">{month.text(key + ".intro", **values)}</p>')
    except KeyError:
        pass
    display(HTML("\n".join(parts)))


def show_title(month: Month, key: str, station_id: str | None = None) -> None:
    """The page's title block: report title, page name, month, and a link back to the overview."""
    from IPython.display import HTML, display

    p = month.params
    name = html.escape(month.station_name(station_id)) if station_id else ""
    back = f'<p class="fc-nav"><a href="../index.html">{month.text("nav.overview")}</a></p>' if station_id else ""
    display(HTML(
        f"{back}<h1>{html.escape(p.label(p.title))}</h1>"
        f'<p class="fc-subtitle">{month.text(key)}{" · " + name if name else ""} · {html.escape(p.period)}</p>'
    ))


def station_links(month: Month) -> object:
    """Links to every station page, grouped by county, names escaped."""
    from IPython.display import HTML

    table = month.result.table()
    blocks = []
    for county, group in table.groupby("county", sort=True):
        links = " · ".join(
            f'<a href="stations/{html.escape(sid, quote=True)}.html" class="fc-band-{band}">'
            f"{html.escape(month.station_name(sid))}</a>"
            for sid, band in zip(group["station_id"], group["band"])
        )
        blocks.append(f"<p><strong>{html.escape(county)}</strong>: {links}</p>")
    return HTML("\n".join(blocks))


def pick_station(month: Month, station_id: str | None) -> str:
    """The station a page is about: the one named, or the first station when none is."""
    if station_id is None:
        return str(month.data.station_ids[0])
    if station_id not in month.data.station_ids:
        raise KeyError(f"station {station_id!r} is not in the stations table")
    return station_id


def show_table(frame, empty_key: str | None = None, month: Month | None = None) -> None:
    """Display a table without its index; every cell is HTML-escaped (names are user text)."""
    from IPython.display import HTML, display

    if frame is None or len(frame) == 0:
        if empty_key and month is not None:
            display(HTML(f'<p class="fc-muted">{month.text(empty_key)}</p>'))
        return
    display(HTML(frame.to_html(index=False, escape=True, border=0, classes="fc-table", na_rep="")))


def show_summary(month: Month) -> None:
    """One sentence: how many stations, and how many of each colour."""
    from IPython.display import HTML, display

    from fivecolor.analysis import colour_summary
    from fivecolor.labels import band_label

    summary = colour_summary(month.result)
    counts = ("、" if month.language == "zh" else ", ").join(
        f"{band_label(b, month.language)} {n}" for b, n in zip(summary["band"], summary["count"]))
    display(HTML(f'<p class="fc-summary">{month.text("summary", n=int(summary["count"].sum()), counts=counts)}</p>'))
