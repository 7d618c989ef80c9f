"""Registries are the one list of method names: the parameters' enums declare the same names, and
every registered method keeps its family's contract.

The parameters come before scoring, so they cannot import the registries; this file ties the two
lists together instead, and shows that the tie catches a name added on one side only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from typing import get_args

import numpy as np
import pytest

from fivecolor import load_data, load_params, score
from fivecolor.analysis import sensitivity
from fivecolor.analysis.sensitivity import engine
from fivecolor.errors import InputError
from fivecolor.params import Aggregation, Bands, MissingPolicy, Normalisation, WeightsScheme
from fivecolor.scoring import aggregate, bands, normalise, pipeline, weights
from fivecolor.scoring.normalise import IndicatorArrays
from fivecolor.scoring.registry import UnknownMethodError

from conftest import REPO

SAMPLE = REPO / "params" / "2020-05.yaml"

#: Each method family: the names the parameters declare, and where its registry is read from.
#: The registries are read when a test runs, so a patched registry is the one checked.
FAMILIES: dict[str, tuple[Callable[[], Iterable[str]], Callable[[], Mapping]]] = {
    "normalisation": (lambda: [m.value for m in Normalisation], lambda: normalise.METHODS),
    "aggregation": (lambda: [m.value for m in Aggregation], lambda: aggregate.METHODS),
    "weights_scheme": (lambda: [m.value for m in WeightsScheme], lambda: weights.SCHEMES),
    "missing": (lambda: [m.value for m in MissingPolicy], lambda: pipeline.MISSING_POLICIES),
    "bands.method": (
        lambda: get_args(Bands.model_fields["method"].annotation),
        lambda: bands.BAND_METHODS,
    ),
}


def check_same_names(family: str, declared: Iterable[str], registry: Mapping) -> None:
    """Fail unless the declared names and the registry's keys are the same set."""
    declared, implemented = set(declared), set(registry)
    if declared != implemented:
        raise AssertionError(
            f"{family}: declared without an implementation {sorted(declared - implemented)}, "
            f"implemented without a declaration {sorted(implemented - declared)}"
        )


# -- (a) the enums and the registries list the same names -----------------------------------


def check_family(family: str) -> None:
    declared, registry = FAMILIES[family]
    check_same_names(family, declared(), registry())


@pytest.mark.parametrize("family", list(FAMILIES))
def test_declared_names_equal_registered_names(family):
    check_family(family)


@pytest.mark.parametrize("enum", [Normalisation, Aggregation, WeightsScheme, MissingPolicy])
def test_an_enum_member_is_named_as_its_value(enum):
    # the parameters accept values, the code reads names: one spelling for both
    assert all(m.name == m.value for m in enum)


# -- (b) the check catches a name added on one side only -------------------------------------


@pytest.mark.parametrize(
    "family, enum",
    [
        ("normalisation", Normalisation),
        ("aggregation", Aggregation),
        ("weights_scheme", WeightsScheme),
        ("missing", MissingPolicy),
    ],
)
def test_an_enum_member_without_an_implementation_fails_the_check(family, enum):
    extended = Enum(
        enum.__name__, [(m.name, m.value) for m in enum] + [("topsis", "topsis")], type=str
    )
    _, registry = FAMILIES[family]
    with pytest.raises(AssertionError, match=r"declared without an implementation \['topsis'\]"):
        check_same_names(family, [m.value for m in extended], registry())


@pytest.mark.parametrize(
    "family, module, attribute",
    [
        ("normalisation", normalise, "METHODS"),
        ("aggregation", aggregate, "METHODS"),
        ("weights_scheme", weights, "SCHEMES"),
        ("missing", pipeline, "MISSING_POLICIES"),
        ("bands.method", bands, "BAND_METHODS"),
    ],
)
def test_an_implementation_without_an_enum_member_fails_the_check(
    family, module, attribute, monkeypatch
):
    monkeypatch.setitem(getattr(module, attribute), "topsis", object())
    with pytest.raises(AssertionError, match=r"implemented without a declaration \['topsis'\]"):
        check_family(family)


def test_a_band_method_without_an_implementation_fails_the_check(monkeypatch):
    monkeypatch.delitem(bands.BAND_METHODS, "quantiles")
    with pytest.raises(AssertionError, match=r"declared without an implementation \['quantiles'\]"):
        check_family("bands.method")


# -- an unknown name is refused in one line, not a bare KeyError -----------------------------


@pytest.mark.parametrize(
    "call, family",
    [
        (lambda: normalise.normalise(np.ones((2, 1)), _indicators(), "topsis"), "normalisation"),
        (lambda: aggregate.aggregate(np.ones(2), np.ones(2), "topsis"), "aggregation"),
        (
            lambda: aggregate.aggregate_over_weights(np.ones((2, 2)), np.ones((3, 2)), "topsis"),
            "aggregation",
        ),
        (lambda: bands.assign(np.ones(2), Bands.model_construct(method="topsis")), "band"),
    ],
)
def test_scoring_functions_refuse_an_unknown_name(call, family):
    with pytest.raises(
        UnknownMethodError, match=rf"^no {family} method is named 'topsis' \(known: "
    ):
        call()


def test_sensitivity_engine_refuses_an_aggregation_it_does_not_know():
    # the engine once took any method other than arithmetic for geometric
    x = np.array([[80.0, 60.0], [50.0, 0.0]])
    w = np.array([[0.5, 0.5]])
    structure = engine._Structure(None, ())
    with pytest.raises(UnknownMethodError, match="aggregation method is named 'topsis'"):
        engine._composites(x, w, "topsis", structure)


@pytest.fixture(scope="module")
def sample_params():
    return load_params(SAMPLE)


def test_score_refuses_a_declared_method_without_an_implementation(sample_params, monkeypatch):
    data = load_data(sample_params)
    monkeypatch.delitem(normalise.METHODS, sample_params.normalisation.value)
    with pytest.raises(InputError) as caught:
        score(data, sample_params)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(
        f"{sample_params.sources[0]}: normalisation: no normalisation method is named"
    )


def test_cli_says_it_in_one_line(expect_bad_input, monkeypatch):
    monkeypatch.delitem(aggregate.METHODS, "arithmetic")
    expect_bad_input(SAMPLE, "2020-05.yaml", ("aggregation", "'arithmetic'"))


def test_monte_carlo_refuses_a_listed_aggregation_without_an_implementation(
    sample_params, monkeypatch
):
    params = sample_params.replace(
        sensitivity={
            **sample_params.sensitivity.model_dump(),
            "aggregation": ["arithmetic", "geometric"],
        }
    )
    result = score(load_data(params), params)
    monkeypatch.delitem(aggregate.METHODS, "geometric")
    refusal = r"sensitivity\.aggregation: no aggregation method is named 'geometric'"
    with pytest.raises(InputError, match=refusal):
        sensitivity.monte_carlo(result, samples=16)


# -- (c) every registered method keeps its family's contract ---------------------------------


def _indicators() -> IndicatorArrays:
    """Two indicators on goalposts 0..100: the first higher is better, the second lower."""
    return IndicatorArrays(
        worst=np.array([0.0, 100.0]),
        best=np.array([100.0, 0.0]),
        sign=np.array([1.0, -1.0]),
        log=np.array([False, False]),
    )


#: Six stations, two indicators, one hole each; some values beyond the goalposts.
RAW = np.array(
    [[10.0, 90.0], [35.0, np.nan], [35.0, 20.0], [np.nan, 55.0], [80.0, 5.0], [120.0, -4.0]]
)


@pytest.mark.parametrize("method", list(normalise.METHODS))
def test_every_normaliser_maps_to_0_100_in_direction_and_keeps_holes(method):
    ind = _indicators()
    out = normalise.normalise(RAW, ind, method)
    assert out.shape == RAW.shape
    np.testing.assert_array_equal(np.isnan(out), np.isnan(RAW))
    present = out[~np.isnan(out)]
    assert np.all((present >= 0) & (present <= 100))
    for i, sign in enumerate(ind.sign):  # a higher raw value is better for +1, worse for -1
        reported = ~np.isnan(RAW[:, i])
        x, y = RAW[reported, i], out[reported, i]
        better = sign * (x[:, None] - x[None, :]) > 0  # [a, b]: station a's value is the better
        assert np.all((y[:, None] >= y[None, :])[better])
    # and per month: a second month in front changes nothing of the first
    stacked = normalise.normalise(np.stack([RAW, RAW[::-1]]), ind, method)
    np.testing.assert_array_equal(stacked[0], out)


SCORES = np.array(
    [[80.0, 60.0, 40.0], [100.0, 0.0, 50.0], [70.0, np.nan, 20.0], [np.nan, np.nan, np.nan]]
)
WEIGHTS = np.array([0.5, 0.3, 0.2])


@pytest.mark.parametrize("method", list(aggregate.METHODS))
def test_every_aggregator_keeps_equal_scores_is_monotone_and_reweights_holes(method):
    for value in (0.0, 37.5, 100.0):
        assert aggregate.aggregate(np.full(3, value), WEIGHTS, method) == pytest.approx(value)
    base = aggregate.aggregate(SCORES, WEIGHTS, method)
    for i in range(3):  # raising one score never lowers the composite
        raised = SCORES.copy()
        raised[:, i] = np.minimum(raised[:, i] + 10.0, 100.0)
        after = aggregate.aggregate(raised, WEIGHTS, method)
        assert np.all(after[:3] >= base[:3] - 1e-12)
    # a hole drops out and the other weights rescale: the same as leaving the indicator out
    without = aggregate.aggregate(SCORES[2, [0, 2]], WEIGHTS[[0, 2]], method)
    assert base[2] == pytest.approx(without)
    assert np.isnan(base[3])
    # the form over many weight vectors gives the same numbers
    many = np.array([WEIGHTS, [0.2, 0.2, 0.6], [1.0, 0.0, 0.0]])
    over = aggregate.aggregate_over_weights(SCORES, many, method)
    one_by_one = np.stack([aggregate.aggregate(SCORES, w, method) for w in many])
    np.testing.assert_allclose(over, one_by_one, rtol=1e-12, atol=1e-12)


MONTH = np.array(
    [
        [80.0, 60.0, 40.0],
        [95.0, 30.0, np.nan],
        [70.0, 65.0, 20.0],
        [60.0, 90.0, 55.0],
        [85.0, 45.0, 75.0],
        [50.0, 70.0, 35.0],
    ]
)
GIVEN = np.array([3.0, 2.0, 1.0])
AHP = np.outer(GIVEN, 1.0 / GIVEN)  # perfectly consistent comparisons


@pytest.mark.parametrize("scheme", list(weights.SCHEMES))
def test_every_weighting_scheme_gives_one_nonnegative_weight_per_indicator_summing_to_1(scheme):
    w = weights.SCHEMES[scheme](MONTH, GIVEN, AHP)
    assert w.shape == (MONTH.shape[1],)
    assert np.all(np.isfinite(w)) and np.all(w >= 0)
    assert w.sum() == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("method", list(bands.BAND_METHODS))
def test_every_band_method_gives_five_colours_best_first_and_none_for_holes(method):
    rule = bands.BandRule.of(Bands(method=method))
    scores = np.array([99.0, 91.0, 88.0, 86.0, 83.0, 81.0, 78.0, 60.0, np.nan, 70.0])
    codes = rule.assign(scores)
    assert codes[np.isnan(scores)].tolist() == [bands.NO_BAND]
    present = ~np.isnan(scores)
    assert set(codes[present]) <= set(range(len(bands.BANDS)))
    order = np.argsort(-scores[present])
    assert np.all(np.diff(codes[present][order]) >= 0)  # a higher score is never in a worse band
    # no shift is the boundaries as given; every row of stations may take its own shift
    np.testing.assert_array_equal(rule.assign(scores, shift=0.0), codes)
    shifted = rule.assign(np.stack([scores, scores]), shift=np.array([0.0, -50.0]))
    np.testing.assert_array_equal(shifted[0], codes)
    assert np.all(shifted[1][present] <= codes[present])


@pytest.mark.parametrize("policy", list(pipeline.MISSING_POLICIES))
def test_every_missing_policy_leaves_reported_cells_alone_and_marks_the_holes(policy):
    cube = np.stack([MONTH, MONTH + 1.0])
    filled, holes = pipeline.apply_missing_policy(cube, MissingPolicy(policy))
    np.testing.assert_array_equal(holes, np.isnan(cube))
    np.testing.assert_array_equal(filled[~holes], cube[~holes])
