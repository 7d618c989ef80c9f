"""Stable colours (``bands.hysteresis``) on constructed histories, in scoring and in the
Monte Carlo."""

from __future__ import annotations

import numpy as np
import pytest

from fivecolor import load_data, load_params, score
from fivecolor.analysis import sensitivity as sa
from fivecolor.analysis.sensitivity.engine import _bands, held_before
from fivecolor.analysis.stability import hysteresis_effect
from fivecolor.errors import InputError
from fivecolor.params import Hysteresis
from fivecolor.scoring.bands import BLUE, ORANGE, held_bands

from conftest import REPO
from factories import indicator, make_dataset, make_params

MAY = REPO / "params" / "2020-05.yaml"
#: cut-offs 90 / 85 / 80 / 75: one indicator on 0..100 with weight 1, so the composite is the value
OSCILLATING = [84.9, 85.1, 84.9, 85.1, 84.9, 85.1]  # 0.2 points around the orange cut-off
JUMPING = [80.5, 80.5, 80.5, 85.5, 85.5, 85.5]  # blue, then 5 points up for good


def _history(hysteresis: dict | None):
    bands = {"cutoffs": [90, 85, 80, 75]}
    if hysteresis is not None:
        bands["hysteresis"] = hysteresis
    params = make_params({"x": indicator()}, bands=bands)
    values = np.array([OSCILLATING, JUMPING]).T[:, :, None]  # (months, stations, 1)
    return score(make_dataset(values, params), params)


def test_without_the_option_the_oscillating_station_flips_every_month():
    bands = _history(None).band
    assert bands[:, 0].tolist() == [BLUE, ORANGE] * 3


def test_a_margin_keeps_an_oscillating_colour_and_lets_a_real_move_through():
    bands = _history({"margin": 0.5}).band
    assert set(bands[:, 0].tolist()) == {BLUE}  # never passes 85 by half a point
    assert bands[:, 1].tolist() == [BLUE, BLUE, BLUE, ORANGE, ORANGE, ORANGE]  # at once


def test_consecutive_months_delay_a_move_by_one_month():
    bands = _history({"months": 2}).band
    assert set(bands[:, 0].tolist()) == {BLUE}  # never two months running above 85
    assert bands[:, 1].tolist() == [BLUE, BLUE, BLUE, BLUE, ORANGE, ORANGE]


def test_the_effect_over_the_history_counts_avoided_and_delayed_changes():
    effect = hysteresis_effect(_history(None), Hysteresis(months=2))
    # without: five flips of the oscillating station and one real move of the other
    assert effect.plain_changes == 6 and effect.held_changes == 1
    # the last flip has no next month to undo it, so it counts as a real change delayed
    assert effect.avoided == 4
    assert effect.delayed == 2  # the real move, one month late; and that last flip


def test_a_margin_with_quantile_bands_is_refused():
    with pytest.raises(InputError, match=r"hysteresis\.margin"):
        load_params(MAY, settings=["bands={method: quantiles, hysteresis: {margin: 1}}"])


def test_the_monte_carlo_keeps_last_months_state():
    params = load_params(MAY, settings=["bands.hysteresis={margin: 1.0}"])
    result = score(load_data(params), params)
    t = result.period_index
    held = held_before(result)
    assert held is not None
    # the published inputs, through the Monte Carlo's band step, give the published colours
    again = _bands(result.composite[t][None], params, np.zeros(1), held)[0]
    np.testing.assert_array_equal(again, result.band[t])
    plain = score(result.data, load_params(MAY))
    assert not np.array_equal(result.band[t], plain.band[t])  # the option does something here
    stable = sa.stable_share(sa.monte_carlo(result, samples=2000))
    assert stable > sa.stable_share(sa.monte_carlo(plain, samples=2000))


def test_held_bands_equal_plain_bands_when_off():
    result = _history(None)
    np.testing.assert_array_equal(held_bands(result.composite, result.params.bands), result.band)
