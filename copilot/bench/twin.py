"""Speed and memory of the STEM twin's image formation, against references measured in the same run."""

from __future__ import annotations

import tracemalloc

import numpy as np

from copilot.bench.core import BenchReport, median_seconds
from copilot.twin import Microscope

GROUP = "twin"
PEAK_MEMORY_LIMIT_MB = 1536.0


def _microscope(fov_nm: float, pixels: int) -> Microscope:
    """Graphene with noise and the default drift, at 1 us dwell."""
    m = Microscope("graphene", seed=0)
    m.set_scan(fov_nm=fov_nm, pixels=pixels, dwell_us=1.0)
    return m


def _frame_seconds(fov_nm: float, pixels: int, repeat: int) -> float:
    m = _microscope(fov_nm, pixels)
    return median_seconds(m.acquire_image, repeat=repeat)


def _peak_memory_mb(fov_nm: float, pixels: int) -> float:
    """Peak traced allocation (numpy arrays included) while one frame is formed."""
    m = _microscope(fov_nm, pixels)
    tracemalloc.start()
    try:
        m.acquire_image()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def run(report: BenchReport) -> None:
    """Record frame times (1024, 2048, 2 um vs 5 nm) and the peak memory of a 4096 x 4096 frame."""
    rng = np.random.default_rng(0)
    reference = median_seconds(lambda: rng.poisson(10.0, (1024, 1024)))
    report.timing(GROUP, "reference: numpy poisson(10) 1024x1024", reference)
    t1024 = _frame_seconds(10.0, 1024, repeat=7)
    report.timing(
        GROUP,
        "HAADF 1024x1024, 10 nm (atoms, probe blur, Poisson + read noise, drift)",
        t1024,
        reference_s=reference,
        max_ratio=2.0,
        reference_name="poisson",
    )
    t2048 = _frame_seconds(20.0, 2048, repeat=3)
    report.timing(GROUP, "HAADF 2048x2048, 20 nm", t2048, reference_s=t1024, max_ratio=4.5, reference_name="1024 frame")
    t5nm = _frame_seconds(5.0, 1024, repeat=5)
    report.timing(GROUP, "HAADF 1024x1024, 5 nm FOV", t5nm)
    t2um = _frame_seconds(2000.0, 1024, repeat=5)
    report.timing(
        GROUP, "HAADF 1024x1024, 2 um FOV (density map)", t2um, reference_s=t5nm, max_ratio=2.0, reference_name="5 nm"
    )
    peak = _peak_memory_mb(400.0, 4096)
    report.value(
        GROUP,
        "peak memory, 4096x4096 frame",
        peak,
        "MB",
        target=f"<= {PEAK_MEMORY_LIMIT_MB:g} MB",
        ok=peak <= PEAK_MEMORY_LIMIT_MB,
    )
