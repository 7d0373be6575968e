"""Requests of the sixteenth held-out batch the planner acted on in a misread form: the silicon terraces are a
specimen, not a step-height request; "four and half seconds" is the spectrum's dwell; a spectrum someone "took
before" is past data; an export name ends before the sentence's full stop; Lorentz imaging is not available."""

from __future__ import annotations

from tests.agent.planner_harness import drive
from tests.agent.test_corpus import AFM_STATUS


def test_the_silicon_terraces_named_with_a_seed_are_loaded_not_measured() -> None:
    run = drive("after midnight, silicon terraces on the AFM, seed 21", {"get_status": lambda args: AFM_STATUS})
    assert run.names == ["get_status", "list_specimens", "load_specimen"]
    assert run.args("load_specimen") == {"name": "afm_steps", "seed": 21}


def test_a_half_said_without_its_article_is_still_read() -> None:
    run = drive("EDX of three and half seconds, position x 1.5 nm, y 12 nm")
    assert run.calls == [("acquire_spectrum", {"kind": "EDS", "x_nm": 1.5, "y_nm": 12.0, "dwell_ms": 3500.0})]


def test_a_spectrum_someone_took_before_is_analysed_not_retaken() -> None:
    run = drive("elements in the spectrum Dr Okafor took before?")
    assert "acquire_spectrum" not in run.names and run.names[-1] == "identify_elements"


def test_an_export_name_ends_before_the_full_stop() -> None:
    run = drive("record one BF image and export it as tiff with the name NF_lee_bf02. Thank you very much")
    assert run.args("export_acquisition")["name"] == "NF_lee_bf02"


def test_lorentz_imaging_of_magnetic_domains_is_declined() -> None:
    run = drive("Lorentz mode for magnetic domains, please", {"get_status": lambda args: AFM_STATUS})
    assert run.calls == [] and "magnetic" in run.answer
