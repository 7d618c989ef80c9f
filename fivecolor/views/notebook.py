"""What the report notebooks call: open a month once, then headings and links in its language.

A notebook's first code cell after its parameters calls :func:`open_month`, which loads and
validates the parameter file exactly as the command line does (``extends``, relative paths),
scores the month and sets up the chart theme. Within one kernel the scored month is cached on
the files' contents, so the 60 station pages of a report score the month once per worker; the
month's Monte Carlo (:func:`monte_carlo`) and projects (:func:`project_progress`) are cached
with it. Texts come from the one catalogue, :mod:`fivecolor.views.text`.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from fivecolor.analysis.published import MethodChange, method_change, published_months
from fivecolor.data.dataset import Dataset, load_data
from fivecolor.data.files import file_sha256
from fivecolor.params import DATA_ROLES, Params, load_params
from fivecolor.scoring.pipeline import ScoreResult, score
from fivecolor.views.common import county_names
from fivecolor.views.large_month import ROWS_SHOWN, is_large
from fivecolor.views.table_html import FOLD_ROWS, STATION_PAGES, TABLE_STYLE, table_html
from fivecolor.views.text import Language, template

if TYPE_CHECKING:
    import pandas as pd

    from fivecolor.analysis.sensitivity import UncertaintyResult


@dataclass(frozen=True)
class Month:
    """A validated, scored month: what every page shows.

    Earlier months hold what was published (:mod:`fivecolor.analysis.published`); ``change``
    says how this month's method would colour last month, when that differs.
    """

    params: Params
    data: Dataset
    result: ScoreResult
    change: MethodChange | None = None

    @property
    def language(self) -> Language:
        return self.params.language

    def text(self, key: str, **values) -> str:
        """A page text in the month's language, with ``{placeholders}`` filled (values escaped)."""
        escaped = {k: html.escape(str(v)) for k, v in values.items()}
        return template(key, self.language).format(**escaped)

    def station_name(self, station_id: str) -> str:
        row = cast("pd.Series", self.data.stations.loc[station_id])  # one row: ids are unique
        if self.language == "en" and isinstance(row.get("name_en"), str) and row["name_en"]:
            return row["name_en"]
        return row["name"]


#: Each file's content hash with the ``os.stat`` signature it was taken at: path ->
#: ((size, mtime_ns, inode), sha256). A station page asks for the month's files again and again;
#: an unchanged file is not read again, a rewritten or replaced one is.
_file_hashes: dict[str, tuple[tuple[int, int, int], str]] = {}


def _file_hash(path: Path) -> str:
    status = path.stat()
    signature = (status.st_size, status.st_mtime_ns, status.st_ino)
    known = _file_hashes.get(str(path))
    if known is None or known[0] != signature:
        known = _file_hashes[str(path)] = (signature, file_sha256(path))
    return known[1]


def _fingerprint(params: Params) -> tuple[str, ...]:
    files = [
        *params.sources,
        *(str(p) for p in (getattr(params.data, role) for role in DATA_ROLES) if p),
        str(params.store_location),  # its publications change what last month shows
    ]
    return tuple(f"{f}:{_file_hash(Path(f))}" for f in files if Path(f).is_file())


_months: dict[tuple, Month] = {}


def _signature(path: str | Path) -> tuple[int, int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_size, status.st_mtime_ns, status.st_ino)


#: Each parameter file's validated parameters with the ``os.stat`` signatures of the files they
#: were read from (the file and those it extends): (path, period) -> (signatures, parameters).
_params: dict[tuple[str, str | None], tuple[tuple, Params]] = {}


def _load_params(params_file: str | Path, period: str | None) -> Params:
    """:func:`fivecolor.params.load_params`, read again only when one of its files changed."""
    key = (str(Path(params_file).resolve()), period)
    known = _params.get(key)
    if known is not None and known[0] == tuple(_signature(f) for f in known[1].sources):
        return known[1]
    params = load_params(params_file, period=period)
    if len(_params) >= 8:
        _params.clear()
    _params[key] = (tuple(_signature(f) for f in params.sources), params)
    return params


def open_month(params_file: str | Path, period: str | None = None) -> Month:
    """Load, validate and score the month a parameter file describes; set up the charts.

    In a notebook session the cell's output also carries the chart library and the pages'
    styles (:func:`fivecolor.views.embed.show_chart_library`), so charts draw offline there.
    """
    from fivecolor.views.embed import show_chart_library
    from fivecolor.views.theme import setup

    params = _load_params(params_file, period)
    setup(params.language)
    show_chart_library()
    key = (params.model_dump_json(), _fingerprint(params))
    if key not in _months:
        data = load_data(params)
        if len(_months) >= 4:
            _months.clear()
        months = published_months(score(data, params))
        _months[key] = Month(params, data, months.result, method_change(months))
    return _months[key]


#: The intro paragraph shown under a heading: heading key -> intro key (``<heading>.intro``).
_INTRO_KEYS: dict[str, str] = {
    "overview.map": "overview.map.intro",
    "overview.movers": "overview.movers.intro",
    "overview.heatmap": "overview.heatmap.intro",
    "overview.weak": "overview.weak.intro",
    "overview.history": "overview.history.intro",
    "overview.actions": "overview.actions.intro",
    "overview.pairing": "overview.pairing.intro",
    "overview.departments": "overview.departments.intro",
    "overview.projects": "overview.projects.intro",
    "overview.progress": "overview.progress.intro",
    "station.next": "station.next.intro",
    "station.partner": "station.partner.intro",
    "station.certainty": "station.certainty.intro",
    "sens.ranks": "sens.ranks.intro",
    "sens.probabilities": "sens.probabilities.intro",
    "sens.weights": "sens.weights.intro",
    "sens.schemes": "sens.schemes.intro",
    "sens.sobol": "sens.sobol.intro",
    "sens.cutoffs": "sens.cutoffs.intro",
    "sens.distances": "sens.distances.intro",
    "sens.influence": "sens.influence.intro",
    "sens.methods": "sens.methods.intro",
    "sens.hysteresis": "sens.hysteresis.intro",
    "sens.appendix": "sens.appendix.intro",
}
#: The plan's intro says how its effort adds up (``actions.plan.effort``).
_PLAN_INTRO_KEYS: dict[str, str] = {
    "linear": "station.next.intro",
    "quadratic": "station.next.intro.quadratic",
}


def intro_key(params: Params, key: str) -> str | None:
    """The intro paragraph's key under heading ``key``, if any; the plan's says how its effort
    adds up."""
    if key == "station.next":
        return _PLAN_INTRO_KEYS[params.actions.plan.effort.value]
    return _INTRO_KEYS.get(key)


def show_heading(month: Month, key: str, level: int = 2, **values) -> None:
    """Display a section heading, and its intro paragraph when it has one (``_INTRO_KEYS``)."""
    from IPython.display import HTML, display

    parts = [f"<h{level}>{month.text(key, **values)}</h{level}>"]
    intro = intro_key(month.params, key)
    if intro is not None:
        parts.append(f'<p class="fc-intro">{month.text(intro, **values)}</p>')
    display(HTML("\n".join(parts)))


def show_title(month: Month, key: str) -> None:
    """The page's title block: report title, page name and month (the page bar, added when
    the site is built, links the other pages)."""
    from IPython.display import HTML, display

    p = month.params
    display(
        HTML(
            f"<h1>{html.escape(p.label(p.title))}</h1>"
            f'<p class="fc-subtitle">{month.text(key)} · {html.escape(p.period)}</p>'
        )
    )


def show_headline(month: Month) -> None:
    """The overview's 本月要点: key figures and sentences (:mod:`fivecolor.views.headline`)."""
    from IPython.display import HTML, display

    from fivecolor.views.headline import headline_facts, headline_html

    facts = headline_facts(month.result, month_actions(month)["forecast"])
    display(HTML(headline_html(facts, month.language)))


def show_station_card(month: Month, station_id: str) -> None:
    """The top of a station page: its card (:mod:`fivecolor.views.station_card`) under the
    report's title and the month."""
    from IPython.display import HTML, display

    from fivecolor.views.station_card import station_card_facts, station_card_html

    p = month.params
    progress = cast("pd.DataFrame | None", project_progress(month))
    card = station_card_facts(month.result, station_id, month_actions(month), progress)
    context = f"{p.label(p.title)} · {month.text('page.station')} · {p.period}"
    display(HTML(station_card_html(card, month.language, context)))


def show_departments(month: Month, frame) -> None:
    """Department help: one row per department (:func:`~fivecolor.views.action_tables.department_summary_table`),
    then a link to every row, a table per department, on the action tables page
    (``actions/index.html#departments``; in a large month the rows are left to the published
    ``actions/departments.csv``)."""
    from IPython.display import HTML, display

    from fivecolor.views.action_tables import DEPARTMENT_LISTS_ID, department_summary_table

    if len(frame) == 0:
        display(HTML(f'<p class="fc-muted">{month.text("overview.departments.none")}</p>'))
        return
    language = month.language
    result = month.result
    parts = [table_html(department_summary_table(result, frame), language, fold=None)]
    if is_large(result):  # thousands of rows: the full list is in actions/departments.csv
        left_out = html.escape(month.text("table.rows_left_out", n=f"{len(frame):,}"))
        display(HTML(f'{parts[0]}<p class="fc-muted">{left_out}</p>'))
        return
    link = month.text("overview.departments.full_list", n=len(frame))
    href = f"actions/index.html#{DEPARTMENT_LISTS_ID}"
    parts.append(f'<p class="fc-muted"><a href="{href}">{link}</a></p>')
    display(HTML("\n".join(parts)))


def station_links(month: Month) -> object:
    """Links to every station page, grouped by county, names escaped.

    In a large month (:func:`fivecolor.views.large_month.is_large`) each county is a folded list
    headed by its number of stations, so the index stays one screen until a county is opened.
    """
    from IPython.display import HTML

    table = month.result.table()
    large = is_large(month.result)
    blocks = []
    table["county"] = county_names(month.result).loc[table["station_id"]].to_numpy()
    for county, group in table.groupby("county", sort=True):
        links = " · ".join(
            f'<a href="stations/{html.escape(sid, quote=True)}.html" class="fc-band-{band}">'
            f"{html.escape(month.station_name(sid))}</a>"
            for sid, band in zip(group["station_id"], group["band"], strict=True)
        )
        if large:
            blocks.append(
                f"<details><summary><strong>{html.escape(str(county))}</strong> ({len(group)})</summary>"
                f"<p>{links}</p></details>"
            )
        else:
            blocks.append(f"<p><strong>{html.escape(str(county))}</strong>: {links}</p>")
    return HTML("\n".join(blocks))


def show_league(month: Month) -> None:
    """The league table: every station, or for a large month the counties' summary then the
    first and last :data:`~fivecolor.views.large_month.ROWS_SHOWN` stations."""
    from fivecolor.views.overview import county_summary_table, league_table

    if is_large(month.result):
        show_table(county_summary_table(month.result))
    show_table(league_table(month.result), month=month)


def pick_station(month: Month, station_id: str | None) -> str:
    """The station a page is about: the one named, or the first station when none is."""
    if station_id is None:
        return str(month.data.station_ids[0])
    if station_id not in month.data.station_ids:
        raise KeyError(f"station {station_id!r} is not in the stations table")
    return station_id


def show_table(
    frame,
    empty_key: str | None = None,
    month: Month | None = None,
    pages: str = STATION_PAGES,
) -> None:
    """Display a table without its index (:func:`fivecolor.views.table_html.table_html`): every
    cell escaped (names are user text), marked station names linked to ``pages``, and with a
    ``month`` (whose language the fold's summary speaks) rows beyond
    :data:`~fivecolor.views.table_html.FOLD_ROWS` folded away."""
    from IPython.display import HTML, display

    if frame is None or len(frame) == 0:
        if empty_key and month is not None:
            display(HTML(f'<p class="fc-muted">{month.text(empty_key)}</p>'))
        return
    if month is not None and is_large(month.result) and len(frame) > 2 * ROWS_SHOWN:
        # a large month: both ends of the table, the middle left to the published files
        show_table(frame.iloc[:ROWS_SHOWN], pages=pages)
        left_out = html.escape(
            month.text("table.rows_left_out", n=f"{len(frame) - 2 * ROWS_SHOWN:,}")
        )
        display(HTML(f'<p class="fc-muted">{left_out}</p>'))
        show_table(frame.iloc[-ROWS_SHOWN:], pages=pages)
        return
    language = month.language if month is not None else "zh"
    fold = FOLD_ROWS if month is not None else None
    display(HTML(table_html(frame, language, pages, fold)))


def show_method_change(month: Month) -> None:
    """A note when this month's method would colour last month differently (nothing otherwise)."""
    from IPython.display import HTML, display

    if month.change is not None:
        from fivecolor.views.method import method_change_text

        note = html.escape(method_change_text(month.change, month.language))
        display(HTML(f'<p class="fc-note" role="note">{note}</p>'))


def show_method(month: Month) -> None:
    """The method box: weights, normalisation, cut-offs, data and build time (:mod:`.method`)."""
    from datetime import datetime

    from IPython.display import HTML, display

    from fivecolor.views.method import method_box_html

    display(HTML(method_box_html(month.result, datetime.now().astimezone())))


def show_text(month: Month, key: str, css_class: str = "fc-intro", **values) -> None:
    """Display one catalogue text as a paragraph (placeholder values escaped)."""
    from IPython.display import HTML, display

    display(HTML(f'<p class="{css_class}">{month.text(key, **values)}</p>'))


def show_sentences(sentences: list[str]) -> None:
    """Display plain sentences (already localised) as the page's lead paragraph."""
    from IPython.display import HTML, display

    body = " ".join(html.escape(sentence) for sentence in sentences)
    display(HTML(f'<p class="fc-summary">{body}</p>'))


def show_notes(sentences: list[str]) -> None:
    """Display warnings (already localised), one paragraph each."""
    from IPython.display import HTML, display

    for sentence in sentences:
        display(HTML(f'<p class="fc-muted"><strong>{html.escape(sentence)}</strong></p>'))


def show_appendix(sections: list[tuple[str, object]]) -> None:
    """Display technical tables folded away: one ``<details>`` per (title, table), closed."""
    from IPython.display import HTML, display

    parts = []
    for title, frame in sections:
        table = frame.to_html(  # type: ignore[attr-defined]
            index=False, escape=True, border=0, classes="fc-table", na_rep=""
        )
        parts.append(
            f"<details><summary>{html.escape(title)}</summary>"
            f'<div class="fc-table-scroll" style="overflow-x: auto">{table}</div></details>'
        )
    display(HTML(TABLE_STYLE + "\n".join(parts)))


_monte_carlo: dict[tuple[int, int | None], tuple[Month, UncertaintyResult]] = {}


def monte_carlo(month: Month, samples: int | None = None) -> UncertaintyResult:
    """The month's Monte Carlo (:func:`fivecolor.analysis.sensitivity.monte_carlo`), cached per kernel.

    The cache keeps the month it belongs to, so a month's id is never reused while cached;
    every station page of a report in one kernel shares one run (same seed, same samples as
    the robustness page).
    """
    from fivecolor.analysis import sensitivity

    key = (id(month), samples)
    if key not in _monte_carlo:
        if len(_monte_carlo) >= 4:
            _monte_carlo.clear()
        _monte_carlo[key] = (month, sensitivity.monte_carlo(month.result, samples))
    return _monte_carlo[key][1]


_station_uncertainty: dict[tuple[int, int | None], tuple[UncertaintyResult, pd.DataFrame]] = {}


def station_uncertainty(month: Month, samples: int | None = None) -> pd.DataFrame:
    """Per-station ranks and colour probabilities of the cached :func:`monte_carlo` run, cached
    with it (a second each at thousands of stations, asked twice by every station page)."""
    from fivecolor.analysis import sensitivity

    mc = monte_carlo(month, samples)
    key = (id(month), samples)
    cached = _station_uncertainty.get(key)
    if cached is None or cached[0] is not mc:  # keyed on the run itself, as it is replaced
        if len(_station_uncertainty) >= 4:
            _station_uncertainty.clear()
        cached = _station_uncertainty[key] = (mc, sensitivity.station_uncertainty(mc))
    return cached[1].copy()


def show_stable_share(month: Month, mc) -> None:
    """One sentence: the share of stations whose colour holds in at least 90% of the samples."""
    from fivecolor.analysis import sensitivity

    share = sensitivity.stable_share(mc)
    show_text(month, "sens.stable", "fc-summary", samples=f"{mc.samples:,}", share=f"{share:.0%}")


def show_published_probability(month: Month, station_id: str, samples: int | None = None) -> None:
    """The station's published colour and its probability in bold, e.g. ``…绿色（稍差）的概率：62%``."""
    from IPython.display import HTML, display

    from fivecolor.views.one_station import published_probability_text

    uncertainty = station_uncertainty(month, samples)
    sentence = published_probability_text(month.result, uncertainty, station_id)
    if sentence:
        display(HTML(f'<p class="fc-summary"><strong>{html.escape(sentence)}</strong></p>'))


def next_colour_empty_key(month: Month, station_id: str) -> str:
    """What an empty path to the next colour means: already red, or no single indicator suffices."""
    position = month.data.station_ids.get_loc(station_id)
    red = month.result.band[month.result.period_index, position] == 0
    return "station.next.none" if red else "station.next.unreachable"


_projects: dict[int, tuple[Month, object]] = {}


def project_progress(month: Month):
    """The month's improvement projects with their progress, or ``None`` without a projects file
    (:func:`fivecolor.analysis.projects.project_progress`); cached per kernel like :func:`monte_carlo`."""
    from fivecolor.analysis import projects as progress_of
    from fivecolor.data.projects import load_projects

    if id(month) not in _projects:
        if len(_projects) >= 4:
            _projects.clear()
        projects = load_projects(month.params, month.data.station_ids)
        progress = (
            None if projects is None else progress_of.project_progress(month.result, projects)
        )
        _projects[id(month)] = (month, progress)
    return _projects[id(month)][1]


_tables: dict[int, tuple[Month, dict]] = {}


def month_actions(month: Month) -> dict[str, pd.DataFrame]:
    """The month's action tables as published in ``actions/`` (plan, pairing, forecast, ...;
    :func:`fivecolor.analysis.action_files.action_tables`), computed once per kernel and shared by
    the station pages."""
    from fivecolor.analysis.action_files import action_tables
    from fivecolor.data.projects import load_projects

    if id(month) not in _tables:
        if len(_tables) >= 4:
            _tables.clear()
        projects = load_projects(month.params, month.data.station_ids)
        _tables[id(month)] = (
            month,
            action_tables(month.result, projects, found_pairs=month_partners(month)),
        )
    return _tables[id(month)][1]


_partners: dict[int, tuple[Month, tuple[pd.DataFrame, pd.DataFrame]]] = {}


def month_partners(month: Month) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The month's pairs and the stations left unpaired (:func:`fivecolor.analysis.partners.all_pairs`),
    computed once per kernel: the overview shows both and the action tables publish them."""
    from fivecolor.analysis.partners import all_pairs

    if id(month) not in _partners:
        if len(_partners) >= 4:
            _partners.clear()
        _partners[id(month)] = (month, all_pairs(month.result))
    return _partners[id(month)][1]


def month_pairs(month: Month) -> pd.DataFrame:
    """The month's pairs (the paired rows of the ``pairing`` table), from :func:`month_actions`."""
    pairing = month_actions(month)["pairing"]
    return pairing[pairing["status"] == "paired"].reset_index(drop=True)


def show_sentence(sentence: str, css_class: str = "fc-summary") -> None:
    """Display a sentence a view composed (escaped) as a paragraph; nothing for an empty one."""
    from IPython.display import HTML, display

    if sentence:
        display(HTML(f'<p class="{css_class}">{html.escape(sentence)}</p>'))
