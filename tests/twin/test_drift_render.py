"""Drift during a slow frame: every row shows the specimen where it was when that row was scanned, along both
axes, so the columns of a noise-free frame sit exactly where the twin's ground truth says they were imaged."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial import cKDTree

from copilot.analysis.atoms import find_atoms
from copilot.bench.accuracy_truth import true_columns
from copilot.twin import Microscope


@pytest.mark.parametrize("seed", [0, 1])
def test_columns_of_a_drifting_frame_sit_where_the_truth_was_imaged(seed: int) -> None:
    scope = Microscope("mos2", seed=seed, drift_nm_per_s=0.3, noise=False)
    scope.set_scan(fov_nm=8.0, pixels=512, dwell_us=32.0)  # 8.4 s: the specimen moves about 2.5 nm meanwhile
    frame = scope.acquire_image()
    truth = true_columns(scope, frame)
    truth = truth[np.all((truth > 0.3) & (truth < 7.7), axis=1)]
    found = find_atoms(np.asarray(frame.data, dtype=np.float64) * 100.0, frame.pixel_size_nm)
    distance, _ = cKDTree(found.positions_nm).query(truth)
    assert len(truth) > 1000
    assert np.quantile(distance, 0.5) < 0.005 and np.quantile(distance, 0.95) < 0.02, np.quantile(distance, [0.5, 0.95])
