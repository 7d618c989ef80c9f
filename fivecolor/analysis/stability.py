"""What stable colours (``bands.hysteresis``) would have done to the scored history.

:func:`hysteresis_effect` compares the colours month by month without the option and with
it: the changes it would have avoided (a colour that flipped and came back the next month)
and the real changes it would have delayed (a colour that held the next month, shown later).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fivecolor.params import Hysteresis, Params
from fivecolor.scoring.bands import NO_BAND, BandRule, held_bands
from fivecolor.scoring.pipeline import ScoreResult


@dataclass(frozen=True)
class HysteresisEffect:
    """Counts over every station and month of the history (a change is one station, one month).

    Attributes
    ----------
    plain_changes, held_changes
        Colour changes without and with the option.
    avoided
        Changes without the option that were undone the month after and that the option
        did not show.
    delayed
        Changes without the option that held the month after (or came in the last month)
        and that the option did not show that month.
    """

    plain_changes: int
    held_changes: int
    avoided: int
    delayed: int


def hysteresis_effect(result: ScoreResult, hysteresis: Hysteresis) -> HysteresisEffect:
    """The history of ``result`` banded without stable colours and with ``hysteresis``."""
    bands = result.params.bands
    plain = BandRule.of(bands).assign(result.composite)
    held = held_bands(result.composite, bands.model_copy(update={"hysteresis": hysteresis}))
    scored = (plain[1:] != NO_BAND) & (plain[:-1] != NO_BAND)
    changed = scored & (plain[1:] != plain[:-1])  # (P - 1, S): month p + 1 against p
    shown = held[1:] != held[:-1]
    undone = np.zeros_like(changed)
    undone[:-1] = plain[2:] == plain[:-2]  # back to the colour before, the month after
    return HysteresisEffect(
        plain_changes=int(changed.sum()),
        held_changes=int((scored & shown).sum()),
        avoided=int((changed & undone & ~shown).sum()),
        delayed=int((changed & ~undone & (held[1:] != plain[1:])).sum()),
    )


def example_options(params: Params) -> list[Hysteresis]:
    """The settings the robustness page shows: the parameters' own when set, else a margin of
    half a point (cut-off bands only), two months running, and both."""
    if params.bands.hysteresis is not None:
        return [params.bands.hysteresis]
    months = Hysteresis(months=2)
    if params.bands.method != "cutoffs":
        return [months]
    return [Hysteresis(margin=0.5), months, Hysteresis(margin=0.5, months=2)]
