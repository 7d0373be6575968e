"""The frame a fact is judged in: the field of view of an acquired image, as it was when the image was scanned.

The specimen drifts, so the field of view at the end of an episode is not the one an answer measured in: a position
read from an image taken 3 s earlier at 0.3 nm/s is 0.9 nm off in the final frame. Facts are therefore judged in
the frame of the image the answer cites (its acquisition id), else the last image the episode used (an argument or a
result of a call), else the current field of view. A frame is rebuilt from the stored image's calibration (its
centre on the specimen at the frame's start, field of view, rotation, stage tilt, start time and frame time); within
one frame the specimen still moves by drift speed x frame time, which :func:`position_tolerance_nm` allows for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from copilot.twin.render import FrameGeometry

ACQ_ID = re.compile(r"\ba\d{4,}\b")


class View(Protocol):
    """A field of view: its size and the maps between FOV coordinates (nm from its top-left) and the specimen."""

    @property
    def fov_nm(self) -> float: ...

    def to_specimen(self, u_nm: Any, v_nm: Any) -> tuple[np.ndarray, np.ndarray]: ...

    def to_fov(self, x_nm: Any, y_nm: Any) -> tuple[np.ndarray, np.ndarray]: ...


@dataclass(frozen=True)
class Frame:
    """One stored image's field of view on the specimen, at the start of its scan."""

    acq_id: str
    center_nm: tuple[float, float]
    fov_nm: float
    pixels: int
    rotation_deg: float
    alpha_deg: float
    beta_deg: float
    started_s: float
    frame_time_s: float

    @property
    def pixel_size_nm(self) -> float:
        return self.fov_nm / self.pixels

    def _axes(self) -> np.ndarray:
        geo = FrameGeometry(self.center_nm, self.fov_nm, self.pixels, self.rotation_deg, self.alpha_deg, self.beta_deg)
        return geo.axes()

    def to_specimen(self, u_nm: Any, v_nm: Any) -> tuple[np.ndarray, np.ndarray]:
        uv = np.stack([np.asarray(u_nm, dtype=float), np.asarray(v_nm, dtype=float)]) - self.fov_nm / 2
        xy = np.tensordot(self._axes(), uv, axes=1)
        return xy[0] + self.center_nm[0], xy[1] + self.center_nm[1]

    def to_fov(self, x_nm: Any, y_nm: Any) -> tuple[np.ndarray, np.ndarray]:
        d = np.stack(
            [np.asarray(x_nm, dtype=float) - self.center_nm[0], np.asarray(y_nm, dtype=float) - self.center_nm[1]]
        )
        uv = np.tensordot(np.linalg.inv(self._axes()), d, axes=1) + self.fov_nm / 2
        return uv[0], uv[1]

    @classmethod
    def from_metadata(cls, acq_id: str, meta: dict[str, Any]) -> Frame:
        stage = (meta.get("settings") or {}).get("stage") or {}
        cx, cy = meta["center_nm"]
        return cls(
            acq_id=acq_id,
            center_nm=(float(cx), float(cy)),
            fov_nm=float(meta["fov_nm"]),
            pixels=int(meta["pixels"]),
            rotation_deg=float(meta.get("rotation_deg", 0.0)),
            alpha_deg=float(stage.get("alpha_deg", 0.0)),
            beta_deg=float(stage.get("beta_deg", 0.0)),
            started_s=float(meta.get("started_s", 0.0)),
            frame_time_s=float(meta.get("frame_time_s", 0.0)),
        )


def image_frames(session: Any) -> dict[str, Frame]:
    """The frame of every STEM image stored in the session, by acquisition id, in acquisition order."""
    out: dict[str, Frame] = {}
    for acq_id in session.store.ids():
        acq = session.store.metadata(acq_id)
        if acq.kind == "image" and "center_nm" in acq.metadata:
            out[acq_id] = Frame.from_metadata(acq_id, acq.metadata)
    return out


def _ids_in(value: Any) -> list[str]:
    return ACQ_ID.findall(value if isinstance(value, str) else str(value))


def cited_frame(answer: str, calls: list[Any], frames: dict[str, Frame]) -> Frame | None:
    """The frame the answer's facts refer to: the last image id the answer names; else the last image a successful
    call took as an argument or returned; else ``None`` (judge in the current field of view)."""
    for acq_id in reversed(_ids_in(answer)):
        if acq_id in frames:
            return frames[acq_id]
    for call in reversed(calls):
        if not call.ok:
            continue
        for acq_id in reversed(_ids_in(call.args) + _ids_in(call.data.get("id", ""))):
            if acq_id in frames:
                return frames[acq_id]
    return None


def position_tolerance_nm(base_nm: float, frame: Frame | None, drift_nm_per_s: float) -> float:
    """A position tolerance from the physics: the task's own allowance, plus one pixel, plus how far the specimen
    drifts while the frame is scanned (drift speed x frame time)."""
    if frame is None:
        return base_nm
    return base_nm + frame.pixel_size_nm + drift_nm_per_s * frame.frame_time_s
