"""The example notebook runs from top to bottom in a fresh kernel and reaches the twin's ground truth."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.slow
def test_the_example_notebook_runs_and_measures_the_true_lattice() -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(EXAMPLES / "microscope.ipynb", as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(EXAMPLES)}}
    )
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    measured = re.search(r"measured a = (\d+\.\d+) nm, true a = (\d+\.\d+) nm", text)
    assert measured is not None and float(measured.group(1)) == pytest.approx(float(measured.group(2)), rel=0.01)
    assert "<EELSSpectrum, title: a0002 EELS spectrum" in text and "zero-loss peak at" in text
    si = re.search(r"Si \[001\] column spacing (\d+\.\d+) nm", text)
    assert si is not None and float(si.group(1)) == pytest.approx(0.5431 * 2**0.5 / 4, rel=0.03)
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the acquisitions show as images
