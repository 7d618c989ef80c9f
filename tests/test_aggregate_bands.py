"""Aggregation and banding against hand-computed examples; quantile counts as a property."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fivecolor.params import Bands
from fivecolor.scoring import bands
from fivecolor.scoring.aggregate import aggregate


def test_weighted_arithmetic_mean():
    assert aggregate(np.array([80.0, 60.0]), np.array([3.0, 1.0]), "arithmetic") == pytest.approx(
        75.0
    )


def test_weighted_geometric_mean():
    # (80^1 20^1)^(1/2) = 40; with weights 1:3, 80^0.25 20^0.75 = 20 * 4^0.25
    assert aggregate(np.array([80.0, 20.0]), np.array([1.0, 1.0]), "geometric") == pytest.approx(
        40.0
    )
    assert aggregate(np.array([80.0, 20.0]), np.array([1.0, 3.0]), "geometric") == pytest.approx(
        20 * 4**0.25
    )


def test_geometric_mean_is_zero_when_any_weighted_score_is_zero():
    assert aggregate(np.array([100.0, 100.0, 0.0]), np.array([1.0, 1.0, 1.0]), "geometric") == 0.0
    # ...but a zero with zero weight does not count
    assert aggregate(np.array([64.0, 0.0]), np.array([1.0, 0.0]), "geometric") == pytest.approx(
        64.0
    )


@pytest.mark.parametrize(
    "method, expected", [("arithmetic", 70.0), ("geometric", math.sqrt(80 * 60))]
)
def test_missing_cells_are_reweighted(method, expected):
    # weights 1, 2, 1 over [80, missing, 60]: the 2 drops out, the rest rescale to 1/2 each
    out = aggregate(np.array([80.0, np.nan, 60.0]), np.array([1.0, 2.0, 1.0]), method)
    assert out == pytest.approx(expected)


def test_all_missing_gives_no_score():
    assert np.isnan(aggregate(np.array([np.nan, np.nan]), np.array([1.0, 1.0]), "arithmetic"))
    assert np.isnan(aggregate(np.array([np.nan, np.nan]), np.array([1.0, 1.0]), "geometric"))


def test_aggregation_broadcasts_over_leading_axes():
    scores = np.array([[[80.0, 60.0], [100.0, 0.0]]])  # (1, 2, 2)
    np.testing.assert_allclose(
        aggregate(scores, np.array([1.0, 1.0]), "arithmetic"), [[70.0, 50.0]]
    )


def test_cutoff_bands_at_and_just_below_each_cutoff():
    scores = np.array([100, 90, 89.999, 85, 84.9, 80, 79.9, 75, 74.99, 0, np.nan])
    codes = bands.by_cutoffs(scores, (90, 85, 80, 75))
    assert codes.tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, -1]


def test_quantile_bands_for_sixty_stations_are_6_12_24_12_6():
    scores = np.linspace(0, 100, 60)
    codes = bands.by_quantiles(scores, (0.9, 0.7, 0.3, 0.1))
    assert np.bincount(codes, minlength=5).tolist() == [6, 12, 24, 12, 6]
    assert codes[-1] == 0 and codes[0] == 4  # best score red, worst yellow


@settings(max_examples=100, deadline=None)
@given(
    n=st.integers(1, 400),
    q=st.lists(st.floats(0.01, 0.99), min_size=4, max_size=4, unique=True),
    seed=st.integers(0, 2**31),
)
def test_quantile_bands_give_the_requested_counts(n, q, seed):
    q = sorted(q, reverse=True)
    scores = np.random.default_rng(seed).choice(np.arange(50.0), size=n)  # many ties
    codes = bands.by_quantiles(scores, q)
    bounds = [math.floor(n * (1 - x) + 0.5) for x in q]
    expected = np.diff([0, *bounds, n])
    assert np.bincount(codes, minlength=5).tolist() == expected.tolist()
    # and a better score never sits in a worse band
    order = np.argsort(-scores, kind="stable")
    assert np.all(np.diff(codes[order]) >= 0)


def test_ties_are_broken_by_position_the_same_way_every_time():
    scores = np.array([50.0, 70.0, 50.0, 70.0])
    assert bands.ordinal_rank(scores).tolist() == [3, 1, 4, 2]
    assert bands.ordinal_rank(np.array([np.nan, 1.0])).tolist()[1] == 1


def test_assign_follows_the_method():
    scores = np.array([95.0, 10.0, 12.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0])
    assert bands.assign(scores, Bands(method="cutoffs")).tolist() == [0, 4, 4, 4, 4, 4, 4, 4, 4, 2]
    # ten stations: 1 red, 2 orange, 4 blue, 2 green, 1 yellow, whatever the scores
    quantile = bands.assign(scores, Bands(method="quantiles", quantiles=(0.9, 0.7, 0.3, 0.1)))
    assert quantile.tolist() == [0, 4, 3, 3, 2, 2, 2, 2, 1, 1]


def test_shared_ties_put_equal_scores_in_one_band():
    scores = np.array([100.0] * 8 + [50.0, 40.0])
    position = bands.by_quantiles(scores, (0.9, 0.7, 0.3, 0.1))
    shared = bands.by_quantiles(scores, (0.9, 0.7, 0.3, 0.1), ties="shared")
    assert len(set(position[:8].tolist())) > 1  # by position, equal scores are split
    assert set(shared[:8].tolist()) == {0}  # shared: all eight reach red together
    assert shared[-1] == 4  # the worst is still yellow
