"""AFM speed: one 512 x 512 frame, trace and retrace, with tip dilation and the feedback loop."""

from __future__ import annotations

from functools import partial

import numpy as np

from copilot.bench.core import BenchReport, median_seconds
from copilot.twin.afm import AFM

FRAME_LIMIT_S = 0.300


def run(report: BenchReport) -> None:
    """Time a 512 x 512 height frame (trace + retrace) on the nanoparticle surface (the tallest relief, so the
    widest tip dilation) and on the stepped surface, against a same-run numpy reference."""
    reference_s = median_seconds(lambda: np.random.default_rng(0).poisson(10.0, (1024, 1024)), repeat=5)
    for surface in ("afm_nanoparticles", "afm_steps"):
        afm = AFM(surface, seed=0)
        afm.approach()
        afm.set_afm_scan(size_nm=1000.0, pixels=512, rate_hz=2.0)
        seconds = median_seconds(partial(afm.acquire_afm_image, ("height",)), repeat=7)
        report.timing("afm", f"512x512 trace+retrace, {surface}", seconds, limit_s=FRAME_LIMIT_S)
        report.value(
            "afm",
            f"512x512 {surface} / poisson(1024^2) reference",
            seconds / reference_s,
            "x",
            target=f"reference {reference_s * 1e3:.1f} ms",
        )
