"""The offline planner on the STEM request families and the refusals: spectra with their own dwell, recovery from
instrument faults, series, zooms, optics, figures that lead the answer, requests it declines before any call."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agent.planner_harness import RESULTS, Tool, drive

MOS2_STATUS: dict[str, Any] = {
    "instrument": "STEM",
    "specimen": "mos2",
    "settings": {
        "beam": {"current_pa": 10.0, "blanked": False},
        "scan": {"fov_nm": 8.0, "pixels": 512, "dwell_us": 2.0},
    },
    "dose": {"used_e_per_A2": 0.0, "critical_dose_e_per_A2": 10000.0},
}


def failing_first(error: str, name: str = "acquire_image") -> Tool:
    """A tool that fails once with ``error`` and then succeeds."""
    calls: list[dict[str, Any]] = []

    def run(args: dict[str, Any]) -> dict[str, Any] | str:
        calls.append(args)
        return error if len(calls) == 1 else RESULTS[name]

    return run


@pytest.mark.parametrize(
    ("text", "kind", "x_nm", "y_nm", "dwell_ms"),
    [
        ("Take an EDS spectrum at x = 4 nm, y = 4 nm with a dwell of 0.5 ms.", "EDS", 4.0, 4.0, 0.5),
        ("Record a 0.5 ms EDS spectrum with the probe at (4 nm, 4 nm).", "EDS", 4.0, 4.0, 0.5),
        ("Park the beam at x 4 nm, y 4 nm and acquire EDS for 0.5 ms.", "EDS", 4.0, 4.0, 0.5),
        ("take an EELS spectrum at x 3 nm y 3 nm", "EELS", 3.0, 3.0, None),
    ],
)
def test_a_spectrum_at_a_point_is_taken_there_with_its_own_dwell_and_nothing_else_changes(
    text: str, kind: str, x_nm: float, y_nm: float, dwell_ms: float | None
) -> None:
    run = drive(text)
    assert run.names == ["acquire_spectrum"]
    expected = {"kind": kind, "x_nm": x_nm, "y_nm": y_nm} | ({"dwell_ms": dwell_ms} if dwell_ms else {})
    assert run.args("acquire_spectrum") == expected


@pytest.mark.parametrize(
    "text",
    [
        "Set the field of view to 8 nm with 512 pixels, find a dopant atom and take an EELS spectrum on it with 0.2 ms "
        "dwell.",
        "Image 8 nm at 512 px, locate a substitutional dopant and record a 0.2 ms EELS spectrum right on it.",
        "Find a dopant in an 8 nm, 512 pixel HAADF image and put the probe on it for a 0.2 ms EELS spectrum.",
    ],
)
def test_a_spectrum_on_a_dopant_sets_only_the_image_and_puts_the_probe_on_the_substitution(text: str) -> None:
    run = drive(text)
    assert run.names == ["set_scan", "acquire_image", "detect_defects", "acquire_spectrum"]
    assert run.args("set_scan") == {"fov_nm": 8.0, "pixels": 512}
    assert run.args("acquire_spectrum") == {"kind": "EELS", "x_nm": 5.5, "y_nm": 6.25, "dwell_ms": 0.2}


def test_a_spectrum_at_the_centre_reads_the_field_of_view_and_the_elements_lead_the_answer() -> None:
    run = drive("Take a 30 ms EELS spectrum at the centre of the field of view and identify the elements.")
    assert run.names == ["get_status", "acquire_spectrum", "identify_elements"]
    assert run.args("acquire_spectrum") == {"kind": "EELS", "x_nm": 16.0, "y_nm": 16.0, "dwell_ms": 30.0}
    assert run.answer.startswith("Elements present: Mo, S")


@pytest.mark.parametrize(
    "text", ["Which elements are in the last spectrum?", "Identify the elements in the spectrum I just took."]
)
def test_the_elements_of_an_existing_spectrum_are_identified_without_a_new_one(text: str) -> None:
    assert drive(text).names == ["identify_elements"]


def test_an_aborted_scan_is_taken_again() -> None:
    aborted = failing_first(
        "ScanAbortedError: the scan was aborted by an interlock. Nothing was stored; acquire again."
    )
    run = drive("Take a HAADF image and count the atoms.", {"acquire_image": aborted})
    assert run.names == ["acquire_image", "acquire_image", "find_atoms"]
    assert run.answer.startswith("Atomic columns found 57.")


def test_a_blanked_beam_is_unblanked_before_the_image_is_taken_again() -> None:
    blanked = failing_first(
        "BeamBlankedError: the beam is blanked. Unblank the beam with set_beam(blanked=false) first."
    )
    run = drive("Record a HAADF frame of this area.", {"acquire_image": blanked})
    assert run.calls == [
        ("acquire_image", {"detector": "HAADF"}),
        ("set_beam", {"blanked": False}),
        ("acquire_image", {"detector": "HAADF"}),
    ]
    assert "Recovered: acquire_image: BeamBlankedError: the beam is blanked; ran set_beam(blanked=false)" in run.answer


def test_a_fault_that_keeps_coming_back_is_reported_not_retried_forever() -> None:
    run = drive("take an image", {"acquire_image": lambda args: "ScanAbortedError: the scan was aborted."})
    assert run.names == ["get_status"] + ["acquire_image"] * 3  # no instrument named: the status says which
    assert "Stopped: acquire_image failed" in run.answer


@pytest.mark.parametrize(
    "text",
    [
        "Set the setpoint to 1 nm and approach so we press harder.",
        "Approach with a 1 nm amplitude setpoint.",
        "Heat the specimen to 500 C and watch the particles sinter.",
        "Do a 3D reconstruction of the particles from a tilt series.",
        "Acquire a tomography series and reconstruct it.",
    ],
)
def test_an_unsafe_or_impossible_request_is_declined_with_the_reason_and_runs_nothing(text: str) -> None:
    run = drive(text)
    assert run.calls == []
    assert any(word in run.answer for word in ("crash", "cannot"))


@pytest.mark.parametrize(
    "text", ["Take a HAADF image with a 1000 us dwell time.", "Acquire a HAADF frame at a dwell of 1000 µs per pixel."]
)
def test_a_frame_past_the_critical_dose_is_declined_before_anything_changes(text: str) -> None:
    run = drive(text, {"get_status": lambda args: MOS2_STATUS})
    assert run.names == ["get_status"]
    assert "critical dose" in run.answer and "2.56e+06" in run.answer


def test_a_long_dwell_within_the_critical_dose_goes_ahead() -> None:
    run = drive("Take a HAADF image with a 20 us dwell.", {"get_status": lambda args: {**MOS2_STATUS, "dose": {}}})
    assert run.names == ["get_status", "set_scan", "acquire_image"]


@pytest.mark.parametrize(
    "text",
    [
        "Take HAADF images at defocus -10 nm, 0 nm and +10 nm.",
        "Record a focal series at -10, 0 and 10 nm defocus.",
        "Acquire three HAADF frames with the defocus set to -10 nm, 0 nm and 10 nm.",
    ],
)
def test_a_focal_series_sets_each_defocus_and_images_it(text: str) -> None:
    run = drive(text)
    assert run.names == ["set_optics", "acquire_image"] * 3
    assert [args["defocus_nm"] for name, args in run.calls if name == "set_optics"] == [-10.0, 0.0, 10.0]


@pytest.mark.parametrize(
    ("text", "image"),
    [
        (
            "Take a HAADF image at stage x = 0.2 um, y = 0 um and another at x = -0.2 um, y = 0 um.",
            {"detector": "HAADF"},
        ),
        ("Image two places, stage x=0.2 µm y=0 µm and x=-0.2 µm y=0 µm.", {}),
    ],
)
def test_two_stage_positions_are_each_visited_and_imaged(text: str, image: dict[str, str]) -> None:
    run = drive(text)
    assert run.calls == [
        ("move_stage", {"x_um": 0.2, "y_um": 0.0}),
        ("acquire_image", image),
        ("move_stage", {"x_um": -0.2, "y_um": 0.0}),
        ("acquire_image", image),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Take a survey image with a 1000 nm field of view, then zoom to 50 nm and take another image.",
        "First an overview at 1000 nm field of view, then a 50 nm field of view image.",
    ],
)
def test_a_survey_then_zoom_with_given_fields_of_view_images_both(text: str) -> None:
    run = drive(text)
    assert run.calls == [
        ("set_scan", {"fov_nm": 1000.0}),
        ("acquire_image", {}),
        ("set_scan", {"fov_nm": 50.0}),
        ("acquire_image", {}),
    ]


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("Correct the astigmatism (set it to zero).", {"astig_nm": 0.0}),
        ("Set the twofold astigmatism to 0 nm.", {"astig_nm": 0.0}),
        ("Change the defocus value to -20 nm, nothing else.", {"defocus_nm": -20.0}),
    ],
)
def test_optics_settings_in_free_wording(text: str, args: dict[str, float]) -> None:
    assert drive(text).calls == [("set_optics", args)]


def test_the_strongest_fft_spacing_leads_the_answer_and_no_lattice_fit_is_run() -> None:
    fft = {"acquisition_id": "a0007", "d_spacings_nm": [0.27304, 0.2776, 0.1594], "angles_deg": [111.9, 51.3, 20.9]}
    run = drive(
        "Compute the Fourier transform of a HAADF image and tell me the main lattice spacing.",
        {"compute_fft": lambda args: fft},
    )
    assert run.names == ["acquire_image", "compute_fft"]
    assert run.answer.startswith("Strongest FFT d-spacing 0.273 nm.")


def test_the_one_length_of_an_imaging_request_is_its_field_of_view() -> None:
    run = drive("Take a 512 pixel HAADF image over 5 nm and tell me the lattice constant.")
    assert run.calls[0] == ("set_scan", {"fov_nm": 5.0, "pixels": 512})
    assert run.answer.startswith("Lattice constant a 0.3161 nm, b 0.3158 nm, gamma 119.8°.")


def test_a_stage_move_in_nm_is_converted_to_um_but_a_spectrum_point_in_nm_stays_in_the_image() -> None:
    assert drive("Move the stage to x = 300 nm, y = -50 nm").calls == [("move_stage", {"x_um": 0.3, "y_um": -0.05})]
    assert drive("Go to x 4 nm y 4 nm and take an EELS spectrum").names == ["acquire_spectrum"]


@pytest.mark.parametrize(
    ("text", "key", "allowed"),
    [("Move the stage to x = 50000 um.", "x_um", "-10 to 10"), ("Use a 1000 kV beam.", "energy_kv", "60 to 300")],
)
def test_a_value_outside_the_tool_range_is_declined_before_any_call(text: str, key: str, allowed: str) -> None:
    run = drive(text)
    assert run.calls == []
    assert f"{key} = " in run.answer and "outside the range" in run.answer and allowed in run.answer


def test_a_through_focus_series_in_steps_images_every_defocus() -> None:
    run = drive("Record a through-focus series from -20 to 20 nm in 10 nm steps")
    assert [args["defocus_nm"] for name, args in run.calls if name == "set_optics"] == [-20.0, -10.0, 0.0, 10.0, 20.0]
    assert run.names.count("acquire_image") == 5 and "autofocus" not in run.names


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("Zoom in to 20 nm and take an image", [("set_scan", {"fov_nm": 20.0}), ("acquire_image", {})]),
        (
            "Measure the lattice of the image I just took",
            [("list_acquisitions", {}), ("measure_lattice", {"acq_id": "a0005"})],
        ),
    ],
)
def test_a_zoom_without_a_survey_and_an_image_just_taken_need_no_extra_steps(
    text: str, calls: list[tuple[str, dict[str, Any]]]
) -> None:
    assert drive(text).calls == calls
