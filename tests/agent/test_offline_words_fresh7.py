"""Operators' words that ran nothing or too little: half a second, a seed said in words, chucking a specimen in,
shuffling the stage, going in by a factor, a factor before the setting or as a fraction, a percentage up, parts of
a degree, the specimen lowered by an amount, non-local means, an intensity line, crispness, patches with the most
electrons, a pixel's span, the exposure so far, the AFM frame size, "prop" gain, F-d curves, each polymer's
fraction, "5 µm overview, then 120 nm", and an edge that kicks in."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_offline_afm import afm


@pytest.mark.parametrize(
    ("text", "last"),
    [
        (
            "X-ray spectrum at (6 nm, 14 nm) for half a second",
            ("acquire_spectrum", {"kind": "EDS", "x_nm": 6.0, "y_nm": 14.0, "dwell_ms": 500.0}),
        ),
        ("chuck the strontium titanate in, seed twelve", ("load_specimen", {"name": "srtio3", "seed": 12})),
        ("shuffle 120 nm right and 40 nm up", ("move_stage", {"x_um": 0.12, "y_um": 0.04, "relative": True})),
        ("2.5x the dwell time per pixel", ("set_scan", {"dwell_us": 10.0})),
        ("make the field of view 3/8 of what it is now", ("set_scan", {"fov_nm": 12.0})),
        ("bump the pixels per line up by fifty percent", ("set_scan", {"pixels": 384})),
        ("beta up by three-quarters of a degree", ("move_stage", {"beta_deg": 0.75, "relative": True})),
        ("lower the specimen height by 200 nm", ("move_stage", {"z_um": -0.2, "relative": True})),
        ("non-local-means clean-up of the latest frame", ("denoise_image", {"method": "nl_means", "acq_id": "a0005"})),
    ],
)
def test_the_request_ends_with_the_call_it_asks_for(text: str, last: tuple[str, dict[str, Any]]) -> None:
    assert drive(text).calls[-1] == last


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("go in by a factor of ten and record a Z-contrast frame", ["get_status", "set_scan", "acquire_image"]),
        ("intensity line from (2, 0) nm to (2, 10) nm on the last frame", ["list_acquisitions", "line_profile"]),
        ("how crisp is the frame I took just now?", ["list_acquisitions", "focus_quality"]),
        ("which patches of the sample have had the most electrons?", ["get_dose_map"]),
        ("how many nanometres does each pixel span now?", ["get_status"]),
        ("how much exposure has the specimen had up to now?", ["get_status"]),
        (
            "first a 5 µm overview, then 120 nm, then size the particles on the 120 nm one",
            ["set_scan", "acquire_image", "set_scan", "acquire_image", "segment_particles"],
        ),
        (
            "loss spectrum at 9,4 nm, then where does the sulfur edge kick in?",
            ["acquire_spectrum", "measure_edge_onset"],
        ),
    ],
)
def test_the_request_runs_the_tools_it_asks_for(text: str, names: list[str]) -> None:
    assert drive(text).names == names


def test_afm_words_set_gains_measure_fractions_and_answer_the_frame_size() -> None:
    assert drive("prop gain 0.3, integral 4 per ms", afm()).calls == [
        ("set_feedback", {"p_gain": 0.3, "i_gain_per_ms": 4.0})
    ]
    fraction = drive("what fraction of the film is each polymer? height plus phase, new scan", afm())
    assert fraction.names == ["get_status", "approach", "acquire_afm_image", "domain_fraction"]
    sizes = drive("AFM frame size and line rate?", afm())
    assert sizes.names == ["get_status"] and "1000 nm" in sizes.answer and "1 Hz" in sizes.answer
