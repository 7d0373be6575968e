"""The exact peak dose: the sweep for rectangles of one rotation agrees with the sum over every vertex."""

from __future__ import annotations

import numpy as np
import pytest

from copilot.bench.twin import drifting_frames
from copilot.dose_policy import _aligned, _aligned_peak, _inside, _merged, _vertex_peak, peak_dose


def _case(rng: np.random.Generator, rotation_deg: float) -> tuple[np.ndarray, np.ndarray | None]:
    """A few rectangles on a half-nm grid (so edges coincide often), some a quarter turn further, maybe a region."""
    n = int(rng.integers(1, 12))
    grid = lambda low, high: rng.integers(low, high, n) * 0.5  # noqa: E731
    rects = np.column_stack(
        [grid(-5, 5), grid(-5, 5), grid(1, 6), grid(1, 6), rotation_deg + 90.0 * rng.integers(0, 4, n), grid(2, 9)]
    )
    if rng.random() < 0.5:
        return _merged(rects), None
    box = np.array([[*(rng.integers(-5, 5, 2) * 0.5), *(rng.integers(1, 4, 2) * 0.5), rotation_deg, 0.0]])
    return _merged(rects), box


@pytest.mark.parametrize("rotation_deg", [0.0, 17.3, 45.0])
def test_the_sweep_finds_the_peak_the_vertices_give(rotation_deg: float) -> None:
    rng = np.random.default_rng(int(rotation_deg * 10))
    for _ in range(400):
        rects, box = _case(rng, rotation_deg)
        rotation = _aligned(rects if box is None else np.vstack([rects, box]))
        assert rotation is not None
        swept, (x_nm, y_nm) = _aligned_peak(rects, box, rotation)
        assert swept == pytest.approx(_vertex_peak(rects, box)[0], abs=1e-9)
        if box is None:  # the point given carries the peak
            assert peak_dose([tuple(r) for r in rects], region=(x_nm, y_nm, 1e-6, 1e-6, 0.0, 0.0))[0] == swept


def test_mixed_rotations_still_sum_over_every_vertex() -> None:
    footprints = [(0.0, 0.0, 2.0, 1.0, 0.0, 5.0), (0.0, 0.0, 2.0, 1.0, 30.0, 3.0), (2.0, 0.0, 1.0, 1.0, 0.0, 1.0)]
    assert _aligned(np.array(footprints)) is None
    dose, point = peak_dose(footprints)
    assert dose == pytest.approx(9.0)
    assert _inside(np.array(footprints), np.array([point])).all()  # where all three overlap


def test_many_drifting_frames_peak_where_they_all_overlap() -> None:
    frames = drifting_frames(300, np.random.default_rng(3))
    dose, (x_nm, y_nm) = peak_dose(frames)
    centres = np.array([f[:2] for f in frames])
    overlap = np.all(np.abs(centres - (x_nm, y_nm)) <= 10.0 + 1e-9, axis=1)
    assert dose == pytest.approx(50.0 * overlap.sum())
    assert dose == pytest.approx(_vertex_peak(_merged(np.array(frames)), None)[0])
