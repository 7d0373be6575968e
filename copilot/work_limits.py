"""Limits on the work one call may cause, so one request cannot tie the instrument (and the server) up.

Each limit has a name, which the refusal states with the figure that broke it:

- ``max_call_time_s``: instrument time one acquisition may take (frame, spectrum, map or autofocus series);
- ``max_frame_pixels``: pixels of one frame (pixels per side squared);
- ``max_map_spectra``: spectra of one spectrum image (pixels along the width times rows).
"""

from __future__ import annotations

from copilot.errors import CopilotError

LIMITS = {"max_call_time_s": 3600.0, "max_frame_pixels": 2048.0**2, "max_map_spectra": 128.0 * 128.0}


class WorkLimitError(CopilotError, ValueError):
    """One call would take more work than the server allows."""

    hint = "Split the work into smaller calls (fewer pixels, shorter dwell, fewer steps or a smaller region)."


def work_refusal(operation: str, figures: dict[str, float]) -> WorkLimitError | None:
    """The refusal of ``operation`` whose work is ``figures`` (keys of :data:`LIMITS`), or None when it fits.

    >>> work_refusal("acquire_image", {"max_call_time_s": 10.0, "max_frame_pixels": 4096.0**2}).args[0]
    'acquire_image would take 1.68e+07 frame pixels, over the limit of 4.19e+06 (max_frame_pixels).'
    """
    units = {
        "max_call_time_s": "s of instrument time",
        "max_frame_pixels": "frame pixels",
        "max_map_spectra": "spectra",
    }
    for name, value in figures.items():
        if value > LIMITS[name]:
            return WorkLimitError(
                f"{operation} would take {value:.3g} {units[name]}, over the limit of {LIMITS[name]:.3g} ({name})."
            )
    return None
