"""Facts are judged in the frame of the image the answer cites: drift after that image does not count against it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from copilot.eval import truth
from copilot.eval.episode import CallRecord, Episode
from copilot.eval.frames import cited_frame, image_frames, position_tolerance_nm
from copilot.eval.scoring import build_check
from copilot.session import Session


@pytest.fixture
def drifted(tmp_path: Path) -> Session:
    """Graphene imaged once at 8 nm, then left to drift at 2 nm/s while two more frames are taken."""
    session = Session(tmp_path, specimen="graphene", seed=503)
    session.set_scan(fov_nm=8.0, pixels=256, dwell_us=2.0)
    session.acquire_image()
    session.require_stem().set_drift(2.0)
    session.set_scan(fov_nm=8.0, pixels=512, dwell_us=4.0)
    session.acquire_image()
    session.acquire_image()
    return session


def test_a_frame_rebuilt_from_the_stored_image_maps_like_the_instrument_did_at_its_start(drifted: Session) -> None:
    frames = image_frames(drifted)
    first = frames["a0001"]
    inst = drifted.require_stem()
    u, v = np.array([0.5, 4.0, 7.5]), np.array([1.0, 4.0, 6.0])
    x, y = first.to_specimen(u, v)
    # the scan settings changed since (512 px), but not the stage, FOV or rotation: only the drift moves the frame
    ex, ey = inst.fov_to_specimen(u, v, at_s=first.started_s)
    np.testing.assert_allclose(x, ex, atol=1e-9)
    np.testing.assert_allclose(y, ey, atol=1e-9)
    back_u, back_v = first.to_fov(x, y)
    np.testing.assert_allclose(back_u, u, atol=1e-9)
    np.testing.assert_allclose(back_v, v, atol=1e-9)


def test_positions_read_from_an_early_image_pass_in_its_frame_and_fail_in_the_final_one(drifted: Session) -> None:
    frames = image_frames(drifted)
    in_first = truth.compute(drifted, [("defect_positions_fov", {})], frames["a0001"])["defect_positions_fov"]
    in_final = truth.compute(drifted, [("defect_positions_fov", {})])["defect_positions_fov"]
    assert in_first, "the first frame shows at least one defect"
    answer = "Defects in a0001 at " + ", ".join(f"({x:.2f}, {y:.2f})" for x, y in in_first) + " nm."
    check = build_check({"type": "fact", "truth": "defect_positions_fov", "kind": "positions", "tol": 0.3})
    judged = Episode("t", {}, {}, answer=answer, truth={"defect_positions_fov": in_first}, frame=frames["a0001"])
    assert check.evaluate(judged).passed
    # the same answer judged at the final clock: the specimen moved by about 2 nm/s x the time of two frames
    late = Episode("t", {}, {}, answer=answer, truth={"defect_positions_fov": in_final})
    result = check.evaluate(late)
    assert not result.passed and "final field of view" in result.detail


def test_the_cited_frame_is_the_named_image_else_the_last_image_a_call_used(drifted: Session) -> None:
    frames = image_frames(drifted)
    calls = [CallRecord("acquire_image", {}, True, {"id": "a0002"}), CallRecord("find_atoms", {}, True, {})]
    assert cited_frame("In a0001 I counted 12 atoms.", calls, frames) == frames["a0001"]
    assert cited_frame("I counted 12 atoms.", calls, frames) == frames["a0002"]
    assert cited_frame("I counted 12 atoms.", [], frames) is None
    assert cited_frame("a0099 does not exist", [], frames) is None


def test_the_position_tolerance_grows_with_pixel_size_and_drift_during_the_frame(drifted: Session) -> None:
    first, later = image_frames(drifted)["a0001"], image_frames(drifted)["a0002"]
    assert position_tolerance_nm(0.3, None, 2.0) == 0.3
    assert position_tolerance_nm(0.3, first, 0.0) == pytest.approx(0.3 + 8.0 / 256)
    assert position_tolerance_nm(0.3, later, 2.0) == pytest.approx(0.3 + 8.0 / 512 + 2.0 * later.frame_time_s)
