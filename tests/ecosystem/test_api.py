"""copilot.Microscope: the tools as Python methods, returning result models, numpy arrays and previews."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import copilot
from copilot.api import Microscope, Output, ToolCallError


@pytest.fixture
def microscope(tmp_path: Path) -> Iterator[Microscope]:
    with copilot.Microscope(data_dir=tmp_path, specimen="srtio3", seed=0) as m:
        yield m


def test_every_tool_of_the_server_is_a_method_with_its_description(microscope: Microscope) -> None:
    assert {"acquire_image", "measure_lattice", "load_specimen", "acquire_afm_image"} <= set(microscope.tools)
    assert set(microscope.tools) <= set(dir(microscope))
    assert "field of view" in (microscope.set_scan.__doc__ or "").lower()


def test_an_image_comes_back_as_its_result_model_its_array_and_its_png(microscope: Microscope) -> None:
    microscope.move_stage(x_um=-0.8)  # the thin end of the lamella, where Sr and Ti-O columns differ clearly
    microscope.set_scan(fov_nm=8.0, pixels=128)
    frame = microscope.acquire_image(detector="HAADF")
    assert isinstance(frame, Output) and type(frame.result).__name__ == "AcquisitionResult"
    assert frame.id == "a0001" and frame.pixel_size_nm == pytest.approx(8.0 / 128)
    assert frame.image is not None and frame.image.shape == (128, 128) and frame.image.dtype == np.float32
    stored = microscope.session.get_acquisition("a0001").arrays["image"]
    np.testing.assert_array_equal(frame.image, stored)
    assert frame._repr_png_() is not None and frame._repr_png_().startswith(b"\x89PNG")  # type: ignore[union-attr]
    truth = microscope.session.require_stem().specimen.lattice["a_nm"]
    lattice = microscope.measure_lattice(acq_id=frame.id).result
    assert type(lattice).__name__ == "LatticeResult"
    assert min(lattice.a_nm, lattice.b_nm) == pytest.approx(truth, rel=0.01)


def test_spectra_carry_their_energy_axis_and_no_image(microscope: Microscope) -> None:
    spectrum = microscope.acquire_spectrum(kind="EDS", x_nm=2.0, y_nm=2.0, dwell_ms=2.0)
    assert set(spectrum.arrays) == {"energy_eV", "counts"} and spectrum.image is None
    assert spectrum.arrays["counts"].shape == spectrum.arrays["energy_eV"].shape


def test_a_refused_call_is_a_typed_error_and_changes_nothing(microscope: Microscope) -> None:
    before = microscope.get_status().result.model_dump()["settings"]
    with pytest.raises(ToolCallError, match="pixels"):
        microscope.set_scan(pixels=3)
    with pytest.raises(ToolCallError, match="No tool"):
        microscope.call("fly_to_the_moon")
    with pytest.raises(AttributeError):
        microscope.fly_to_the_moon  # noqa: B018
    assert microscope.get_status().result.model_dump()["settings"] == before


def test_calls_are_journaled_like_any_client(microscope: Microscope) -> None:
    microscope.set_beam(current_pa=10.0)
    tools = [e["tool"] for e in microscope.session.journal.entries()]
    assert tools[-1] == "set_beam"


def test_import_copilot_loads_neither_the_server_nor_hdf5() -> None:
    code = "import sys, copilot; print(sorted(m for m in ('fastmcp', 'h5py', 'copilot.api') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    assert copilot.Microscope is Microscope
