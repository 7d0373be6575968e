"""No negated or bounded instruction is ever executed: every action verb, in every negation form, with its
parameters, before or after an instruction that is meant, leaves the forbidden tool uncalled."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.agent.planner_harness import drive

ACTIONS: list[tuple[str, str]] = [
    ("blank the beam", "set_beam"),
    ("unblank the beam", "set_beam"),
    ("set the current to {n} pA", "set_beam"),
    ("change the beam energy to {n} kV", "set_beam"),
    ("autofocus", "autofocus"),
    ("refocus", "autofocus"),
    ("move the stage to x = {n} um", "move_stage"),
    ("move the stage by {n} nm in x", "move_stage"),
    ("go to x {n} um y {n} um", "move_stage"),
    ("tilt alpha to {n} degrees", "move_stage"),
    ("defocus by {n} nm", "set_optics"),
    ("set the defocus to -{n} nm", "set_optics"),
    ("change the field of view to {n} nm", "set_scan"),
    ("set the dwell to {n} us", "set_scan"),
    ("take an image", "acquire_image"),
    ("acquire a HAADF frame", "acquire_image"),
    ("take an EELS spectrum at x {n} nm, y {n} nm", "acquire_spectrum"),
    ("load MoS2", "load_specimen"),
    ("approach the tip", "approach"),
    ("withdraw the tip", "withdraw"),
    ("export the last image as tiff", "export_acquisition"),
    ("turn the beam off", "set_beam"),
    ("switch the beam back on", "set_beam"),
    ("raise the kV to {n}", "set_beam"),
    ("move up by {n} nm", "move_stage"),
    ("go back to the origin", "move_stage"),
    ("swap the sample for graphene", "load_specimen"),
    ("swap the MoS2 out for graphene", "load_specimen"),
    ("kill the beam", "set_beam"),
    ("open the probe up to {n} mrad", "set_optics"),
    ("bump the sample {n} nm to the left", "move_stage"),
    ("tip the holder {n} degrees in beta", "move_stage"),
    ("park the stage at the origin", "move_stage"),
    ("double the field of view", "set_scan"),
    ("halve the dwell", "set_scan"),
    ("zoom in 2x", "set_scan"),
    ("get the tip off the surface", "withdraw"),
]
NEGATIONS = [
    "do not {a}",
    "don't {a}",
    "please don't {a}",
    "never {a}",
    "you must not {a}",
    "dont {a}",
    "do NOT {a}",
    "avoid to {a}",
    "skip the step to {a}",
    "no need to {a}",
]
MEANT = ["", "just check the focus quality", "tell me the status", "count the atoms"]


@pytest.mark.slow
@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    action=st.sampled_from(ACTIONS),
    negation=st.sampled_from(NEGATIONS),
    value=st.integers(min_value=1, max_value=900),
    meant=st.sampled_from(MEANT),
    negated_first=st.booleans(),
)
def test_a_negated_action_is_never_called(
    action: tuple[str, str], negation: str, value: int, meant: str, negated_first: bool
) -> None:
    phrase, tool = action
    negated = negation.format(a=phrase.format(n=value))
    text = (f"{negated}, {meant}" if negated_first else f"{meant}, but {negated}") if meant else negated
    run = drive(text)
    assert tool not in run.names, (text, run.calls)


AFTER: list[tuple[str, str]] = [
    ("an autofocus", "autofocus"),
    ("refocusing", "autofocus"),
    ("moving the stage to x = {n} um", "move_stage"),
    ("blanking the beam", "set_beam"),
    ("setting the current to {n} pA", "set_beam"),
    ("a defocus of -{n} nm", "set_optics"),
    ("a new image", "acquire_image"),
]
LEFT_ALONE = ["leave the {t} alone", "keep the {t} as it is", "leave the {t} where it is", "keep the {t} unchanged"]
THINGS = [("focus", "autofocus"), ("stage", "move_stage"), ("beam", "set_beam"), ("optics", "set_optics")]


@pytest.mark.slow
@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    action=st.sampled_from(AFTER),
    negation=st.sampled_from(["{a} is not needed", "{a} isn't necessary", "{a} is not wanted", "{a} is unnecessary"]),
    value=st.integers(min_value=1, max_value=900),
    meant=st.sampled_from(MEANT),
    negated_first=st.booleans(),
)
def test_a_negation_said_after_the_action_is_never_called(
    action: tuple[str, str], negation: str, value: int, meant: str, negated_first: bool
) -> None:
    phrase, tool = action
    negated = negation.format(a=phrase.format(n=value))
    meant = meant or "count the atoms in the last image"
    text = f"{negated}, {meant}" if negated_first else f"{meant}; {negated}"
    assert tool not in drive(text).names, text


@pytest.mark.parametrize("left", LEFT_ALONE)
@pytest.mark.parametrize(("thing", "tool"), THINGS)
@pytest.mark.parametrize("meant", ["take an image at 30 nm", "count the atoms"])
def test_a_setting_left_alone_is_never_changed(left: str, thing: str, tool: str, meant: str) -> None:
    said = left.format(t=thing)
    for text in (f"{said}, {meant}", f"{meant} but {said}"):
        assert tool not in drive(text).names, text


def test_what_is_left_alone_is_only_what_it_names() -> None:
    run = drive("leave the stage where it is, autofocus and take an image")
    assert run.names == ["autofocus", "acquire_image"]


@settings(max_examples=30, deadline=None, derandomize=True)
@given(
    limit=st.sampled_from(["must stay below", "has to stay under", "at most", "no more than", "should not exceed"]),
    value=st.integers(min_value=1, max_value=900),
)
def test_a_bounded_current_is_never_set_to_its_bound(limit: str, value: int) -> None:
    run = drive(f"the current {limit} {value} pA, take an image")
    assert all(args.get("current_pa") != value for name, args in run.calls if name == "set_beam"), run.calls


@settings(max_examples=30, deadline=None, derandomize=True)
@given(
    limit=st.sampled_from(
        [
            "hold the current under {n} pA",
            "limit the current to {n} pA",
            "cap the current at {n} pA",
            "maintain the current below {n} pA",
            "keep the probe current under {n} pA",
        ]
    ),
    value=st.integers(min_value=1, max_value=900),
    first=st.booleans(),
)
def test_a_limit_said_as_a_verb_is_never_set_as_a_value(limit: str, value: int, first: bool) -> None:
    said = limit.format(n=value)
    run = drive(f"{said} and take an image" if first else f"take an image, but {said}")
    assert all(args.get("current_pa") != value for name, args in run.calls if name == "set_beam"), run.calls


def test_a_limit_the_present_settings_break_runs_nothing_and_says_so() -> None:
    run = drive("the current must stay below 10 pA, take an image")
    assert run.names == ["get_status"]
    assert "current_pa is 30 now" in run.answer and "ran nothing" in run.answer


def test_a_limit_the_planner_cannot_check_is_said_and_nothing_runs() -> None:
    run = drive("take an image, the drift must stay below 0.5 nm/s")
    assert "acquire_image" not in run.names and "cannot make sure" in run.answer
