"""How the pages stay light for a large month: the thresholds and what each page cuts.

Above :data:`LARGE_MONTH` stations the overview's map and heat map show counties instead of
stations, the league table is preceded by the counties' summary, long tables show their first
and last :data:`ROWS_SHOWN` rows, and the robustness charts draw the :data:`UNCERTAIN_SHOWN`
least certain stations. The published files always hold every station.
"""

from __future__ import annotations

from fivecolor.scoring.pipeline import ScoreResult

__all__ = ["LARGE_MONTH", "MAX_POINTS", "ROWS_SHOWN", "UNCERTAIN_SHOWN", "is_large"]

#: Above this many stations the overview shows counties instead of service areas and stations.
LARGE_MONTH = 300
#: Above this many stations the county map leaves the station points out (the page stays light).
MAX_POINTS = 5000
#: Rows shown at each end of a long table in a large month; the rest is in the files.
ROWS_SHOWN = 50
#: Stations drawn in a large month's rank-interval and colour-probability charts.
UNCERTAIN_SHOWN = 100


def is_large(result: ScoreResult) -> bool:
    """Whether the month has more than :data:`LARGE_MONTH` stations."""
    return len(result.data.station_ids) > LARGE_MONTH
