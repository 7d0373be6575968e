"""What the analysis tools share: argument types, the reliability verdict and reading stored acquisitions."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from pydantic import Field

from copilot.analysis.errors import AnalysisError

from .common import Result

AcqId = Annotated[
    str | None, Field(description="acquisition id such as a0001; omit for the latest", pattern=r"^a\d{4,8}$")
]
Nm = Annotated[float, Field(description="position in nm from the image's top-left corner", ge=0, le=1e5)]

RELIABLE = (
    "true when the measurement can be trusted as it stands; false when the data do not support it (low "
    "signal, too few columns or sites, drift shear, aliasing, ...): then reliability_note says why and what to do"
)


class Reliability(Result):
    """The verdict every measuring tool returns with its numbers."""

    reliable: bool = Field(description=RELIABLE)
    reliability_note: str = Field(description="why the result is not reliable (empty when it is)")


def finite_or_none(value: float, digits: int = 6) -> float | None:
    """``value`` rounded, or None when it is not finite (JSON has no NaN)."""
    return round(float(value), digits) if np.isfinite(value) else None


def image_of(session: Any, acq_id: str | None) -> tuple[str, np.ndarray, float]:
    """(id, image, pixel size nm) of an image acquisition (the latest when ``acq_id`` is None)."""
    chosen = acq_id or session.latest_acquisition_id
    if chosen is None:
        raise AnalysisError("there is no acquisition yet.", hint="Acquire an image first (acquire_image).")
    acq = session.get_acquisition(chosen)
    if "image" not in acq.arrays:
        raise AnalysisError(f"{chosen} is a {acq.kind}, not an image.", hint="Pass the id of an image acquisition.")
    return chosen, np.asarray(acq.arrays["image"], dtype=np.float64), float(acq.metadata["pixel_size_nm"])


def image_or_height(session: Any, acq_id: str | None) -> tuple[str, np.ndarray, float, str]:
    """(id, image, pixel size nm, units) of a STEM image, or of an AFM image's trace height channel in nm."""
    chosen = acq_id or session.latest_acquisition_id
    if chosen is not None and session.get_acquisition(chosen).kind == "afm_image":
        acq = session.get_acquisition(chosen)
        return (
            chosen,
            np.asarray(acq.arrays["height_trace"], dtype=np.float64),
            float(acq.metadata["pixel_size_nm"]),
            "nm",
        )
    return (*image_of(session, acq_id), "counts")


def raw_image(session: Any, acq_id: str) -> np.ndarray | None:
    """The recorded image an acquisition was derived from (through any chain of denoising); None if it is one."""
    meta = session.get_acquisition(acq_id).metadata
    if not meta.get("derived_from"):
        return None
    source = str(meta["derived_from"])
    while session.get_acquisition(source).metadata.get("derived_from"):
        source = str(session.get_acquisition(source).metadata["derived_from"])
    return np.asarray(session.get_acquisition(source).arrays["image"], dtype=np.float64)
