"""Building a month's report folder under ``reports/<period>/``."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from fivecolor.analysis import colour_summary
from fivecolor.dataset import load_data
from fivecolor.labels import BAND_COLOURS, band_label
from fivecolor.outputs import write_csv, write_xlsx
from fivecolor.params import load_params
from fivecolor.scoring import ScoreResult, score


def print_colour_summary(result: ScoreResult, console: Console | None = None) -> None:
    """The month's colours as a small table on the terminal."""
    console = console or Console()
    lang = result.params.language
    summary = colour_summary(result)
    table = Table(title=f"{result.params.label(result.params.title)} · {result.params.period}")
    for column in ("band", "count", "change"):
        table.add_column(column, justify="left" if column == "band" else "right")
    for row in summary.itertuples():
        colour = BAND_COLOURS[row.band]
        table.add_row(f"[{colour}]■[/] {band_label(row.band, lang)}", str(row.count), f"{row.change:+d}")
    console.print(table)


def build_report(args) -> int:
    params = load_params(args.params, period=args.period)
    result = score(load_data(params), params)
    folder = Path(args.out) / params.period
    table = result.table()
    write_csv(table, folder / "scores.csv")
    write_xlsx(table, folder / "scores.xlsx")
    print_colour_summary(result)
    print(f"{len(table)} stations scored; open {(folder / 'scores.csv').resolve()}")
    return 0
