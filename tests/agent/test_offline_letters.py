"""Requests pasted from emails and chat messages: greetings, sign-offs, subject lines, forwarding notes and replies to
a quoted message are no part of what is asked, and a subject or a quote says what "it" is. These are the classes the
twenty-third held-out batch (fresh22) was acted on in a misread form: a subject naming a detector taken as a frame,
"for the Z-contrast series" as a HAADF, the data a subject names taken anew, "the focus is good, don't touch it" run
with an autofocus, "was it in focus?" run as an autofocus, and "take it up by 5.5 degrees" turned down."""

from __future__ import annotations

import pytest

from copilot.agent.offline.letters import unwrapped
from tests.agent.planner_harness import drive
from tests.agent.test_corpus import AFM_STATUS


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("Hi Lena, please blank the beam. Thanks! - Omar", "please blank the beam."),
        ("Dear all, take a HAADF at 14 nm. Kind regards, Dr. Weiss", "take a HAADF at 14 nm."),
        ("Good morning team: autofocus please. Cheers", "autofocus please."),
        ("set the dwell to 3 us please. Lena", "set the dwell to 3 us please."),
        ("take a BF at 9 nm -- Omar", "take a BF at 9 nm"),
        ("Forwarding from Lena: 'zoom out 3 times'", "zoom out 3 times"),
        ("PS - and could you blank the beam?", "could you blank the beam?"),
        ("Hope the beamtime went well! Blank the beam please.", "Blank the beam please."),
        ("Subject: tonight. Hello, blank the beam please", "blank the beam please"),
    ],
)
def test_what_wraps_a_message_is_no_part_of_it(text: str, asked: str) -> None:
    assert unwrapped(text) == asked


@pytest.mark.parametrize("text", ["Take a HAADF. Now", "blank the beam", "Take a BF, then a HAADF. Twice"])
def test_words_that_end_a_request_are_no_signature(text: str) -> None:
    assert unwrapped(text) == text


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("Re: the noon frame - could you run an FFT on it?", "could you run an FFT on the noon frame?"),
        ("Re: last night's topograph - what is its step height?", "what is the step height of last night's topograph?"),
        ("Subject: probe current - please set it to 22 pA", "please set the probe current to 22 pA"),
        ("Re: EELS - please record one at (3, 8) nm", "please record the EELS at (3, 8) nm"),
        ("Re: BF - set the BF outer angle to 14 mrad", "set the BF outer angle to 14 mrad"),
    ],
)
def test_a_subject_says_what_it_is_or_is_dropped(text: str, asked: str) -> None:
    assert unwrapped(text) == asked


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        (
            "Re: the frame from yesterday - any vacancies in it? Best, Omar",
            [("list_acquisitions", {}), ("detect_defects", {"acq_id": "a0005"})],
        ),
        (
            "Re: BF - set the bright-field outer angle to 13 mrad please. Lena",
            [("set_detectors", {"bf_outer_mrad": 13.0})],
        ),
        (
            "> can you take a BF next? Yes, do that, but at 210 nm. Omar",
            [("set_scan", {"fov_nm": 210.0}), ("acquire_image", {"detector": "BF"})],
        ),
        (
            "> the dwell looks short for the EELS. Agreed - raise it by 2 us please. Lena",
            [("get_status", {}), ("set_scan", {"dwell_us": 6.0})],  # status: 4 µs
        ),
        (
            "> the last image looked blurry to me. Was it in focus? - Omar",
            [("list_acquisitions", {}), ("focus_quality", {"acq_id": "a0005"})],
        ),
        (
            "> HAADF at 40 nm next? Yes, but the focus is fine, don't touch it. Lena",
            [("set_scan", {"fov_nm": 40.0}), ("acquire_image", {"detector": "HAADF"})],
        ),
    ],
)
def test_messages_run_what_they_ask_and_no_more(text: str, calls: list[tuple[str, dict[str, object]]]) -> None:
    assert drive(text).calls == calls


def test_a_topograph_named_in_the_subject_is_analysed_without_landing_the_tip() -> None:
    run = drive(
        "Re: Monday's topograph - could you plane-level it? Thanks, Lena", {"get_status": lambda args: AFM_STATUS}
    )
    assert run.names == ["list_acquisitions", "plane_level"]


def test_a_series_a_message_is_for_asks_for_no_image() -> None:
    run = drive("Hi, for the Z-contrast study please set the HAADF range to 66-184 mrad. Thanks, Omar")
    assert run.calls == [("set_detectors", {"haadf_inner_mrad": 66.0, "haadf_outer_mrad": 184.0})]


def test_a_tilt_taken_up_goes_up() -> None:
    assert drive("take beta up by 3.5 degrees").calls == [("move_stage", {"beta_deg": 3.5, "relative": True})]


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("Please blank the beam, I'm in a call; back at 2. - Omar", [("set_beam", {"blanked": True})]),
        (
            "The seminar got moved to 11, so no rush. Could you take a BF at 140 nm? Lena",
            [("set_scan", {"fov_nm": 140.0}), ("acquire_image", {"detector": "BF"})],
        ),
        (
            "Since the last frame was noisy, please raise the dwell by 25 percent. - Omar",
            [("get_status", {}), ("set_scan", {"dwell_us": 5.0})],  # status: 4 µs
        ),
        (
            "Would you mind putting the grating on the AFM? Seed 27 please. Cheers, Lena",
            [("list_specimens", {}), ("load_specimen", {"name": "afm_grating", "seed": 27})],
        ),
    ],
)
def test_times_of_day_reasons_and_polite_loads_in_messages(
    text: str, calls: list[tuple[str, dict[str, object]]]
) -> None:
    assert drive(text).calls == calls


def test_a_heating_holder_in_use_is_a_rating_not_a_temperature_asked_for() -> None:
    run = drive("FYI the heating holder we're using is only rated to 150 kV. Please set the HT to 210 kV.")
    assert run.names == ["get_status"] and "150" in run.answer  # refused against the rating


def test_a_tip_pulled_back_is_withdrawn_before_it_is_changed() -> None:
    run = drive(
        "The tip looks dead. Could you pull it back, fit a new one, bring it down again and record an image?",
        {"get_status": lambda args: AFM_STATUS},
    )
    assert run.names == ["get_status", "withdraw", "change_tip", "approach", "acquire_afm_image"]


def test_a_square_said_by_its_side_and_its_corner() -> None:
    run = drive(
        "On the newest AFM image, take a square 210 nm on a side, top-left corner at (90, 330) nm, and give me Rq",
        {"get_status": lambda args: AFM_STATUS},
    )
    assert run.args("roughness") == {
        "x_nm": 90.0,
        "y_nm": 330.0,
        "width_nm": 210.0,
        "height_nm": 210.0,
        "acq_id": "a0005",
    }


def test_a_spectrum_collected_is_taken() -> None:
    run = drive("collect EDX for 2.7 s in the centre of the field")
    assert run.calls == [
        ("get_status", {}),
        ("acquire_spectrum", {"kind": "EDS", "x_nm": 16.0, "y_nm": 16.0, "dwell_ms": 2700.0}),
    ]
