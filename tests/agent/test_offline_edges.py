"""Edge onsets asked in spectroscopists' words: the element's symbol next to its edge ("S L2,3", "Mo M4,5"), the
edge's digits a label and not a number to set, on the spectrum just taken or the newest one."""

from __future__ import annotations

from typing import Any

import pytest

from copilot.agent.offline.edges import edge_onset_said
from tests.agent.planner_harness import drive


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("fit the s l2,3 onset", ("S", "L2,3")),
        ("measure the mo m4,5 onset", ("Mo", "M4,5")),
        ("where does the o k edge start?", ("O", "K")),
        ("measure the ti onset", ("Ti", None)),
        ("eels si l2,3 edge at 3,3 nm", None),
        ("the onset of the scan", None),
    ],
)
def test_an_onset_names_an_element_only_next_to_an_edge_or_the_word_onset(
    text: str, said: tuple[str, str | None] | None
) -> None:
    assert edge_onset_said(text) == said


def test_a_spectrum_then_an_onset_fits_the_onset_on_that_spectrum() -> None:
    run = drive("EELS at 6,2 nm and measure the Mo M4,5 onset")
    assert run.calls == [
        ("acquire_spectrum", {"kind": "EELS", "x_nm": 6.0, "y_nm": 2.0}),
        ("measure_edge_onset", {"element": "Mo", "edge": "M4,5", "acq_id": "a0008"}),
    ]


def test_an_onset_on_the_last_spectrum_takes_no_new_one_and_identifies_nothing() -> None:
    run = drive("fit the Ti L2,3 onset on the last spectrum")
    assert run.calls == [("measure_edge_onset", {"element": "Ti", "edge": "L2,3"})]


def test_the_onset_leads_the_answer_with_its_uncertainty() -> None:
    onset: dict[str, Any] = {"element": "S", "edge": "L2,3", "onset_eV": 165.1, "onset_uncertainty_eV": 0.4}
    onset |= {"tabulated_onset_eV": 165.0, "shift_eV": 0.1, "acquisition_id": "a0008"}
    run = drive("EELS at 4,4 nm, then fit the S L2,3 onset", {"measure_edge_onset": lambda args: onset})
    assert run.answer.startswith("Edge onset 165.1 ± 0.4 eV, tabulated 165 eV, shift 0.1 eV.")
