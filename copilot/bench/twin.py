"""Speed and memory of the STEM twin's image formation, against references measured in the same run."""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable

import numpy as np

from copilot.bench.core import BenchReport
from copilot.dose_policy import Footprint, peak_dose
from copilot.twin import Microscope

GROUP = "twin"
PEAK_MEMORY_LIMIT_MB = 1536.0
BF_MAX_RATIO = 5.0
"""Bright field transforms one canvas per element in view on top of the probe pass."""


def _microscope(fov_nm: float, pixels: int) -> Microscope:
    """Graphene with noise and the default drift, at 1 us dwell."""
    m = Microscope("graphene", seed=0)
    m.set_scan(fov_nm=fov_nm, pixels=pixels, dwell_us=1.0)
    return m


def _paired_seconds(fn: Callable[[], object], reference: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Medians of ``fn`` and ``reference`` timed alternately, so both see the same machine load."""
    fn(), reference()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for target, f in zip(times, (fn, reference), strict=True):
            t0 = time.perf_counter()
            f()
            target.append(time.perf_counter() - t0)
    return statistics.median(times[0]), statistics.median(times[1])


def drifting_frames(count: int, rng: np.random.Generator) -> list[Footprint]:
    """Dose footprints of ``count`` 20 nm frames whose centre drifts by about 0.1 nm a frame (no two alike)."""
    centres = np.cumsum(rng.normal(0.0, 0.1, (count, 2)), axis=0)
    return [(float(x), float(y), 10.0, 10.0, 0.0, 50.0) for x, y in centres]


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
    """Record frame times (HAADF 1024, BF 1024, HAADF 2048, 2 um vs 5 nm), the exact peak dose of many frames and
    the peak memory of a 4096 x 4096 frame."""
    rng = np.random.default_rng(0)

    def poisson() -> object:
        return rng.poisson(10.0, (1024, 1024))

    t1024, reference = _paired_seconds(_microscope(10.0, 1024).acquire_image, poisson, repeat=9)
    report.timing(GROUP, "reference: numpy poisson(10) 1024x1024", reference)
    report.timing(
        GROUP,
        "HAADF 1024x1024, 10 nm (atoms, probe blur, Poisson + read noise, drift)",
        t1024,
        reference_s=reference,
        max_ratio=2.0,
        reference_name="poisson",
    )
    bf = _microscope(10.0, 1024)
    t_bf, reference_bf = _paired_seconds(lambda: bf.acquire_image("BF"), poisson, repeat=5)
    report.timing(
        GROUP,
        "BF 1024x1024, 10 nm (phase contrast through the aberration function, absorption, noise)",
        t_bf,
        reference_s=reference_bf,
        max_ratio=BF_MAX_RATIO,
        reference_name="poisson",
    )
    t2048, t1024_again = _paired_seconds(
        _microscope(20.0, 2048).acquire_image, _microscope(10.0, 1024).acquire_image, repeat=7
    )
    report.timing(
        GROUP, "HAADF 2048x2048, 20 nm", t2048, reference_s=t1024_again, max_ratio=4.5, reference_name="1024 frame"
    )
    t2um, t5nm = _paired_seconds(_microscope(2000.0, 1024).acquire_image, _microscope(5.0, 1024).acquire_image, 5)
    report.timing(GROUP, "HAADF 1024x1024, 5 nm FOV", t5nm)
    report.timing(
        GROUP, "HAADF 1024x1024, 2 um FOV (density map)", t2um, reference_s=t5nm, max_ratio=2.0, reference_name="5 nm"
    )
    frames = drifting_frames(400, rng)
    t_peak, reference_peak = _paired_seconds(lambda: peak_dose(frames), _microscope(10.0, 1024).acquire_image, 5)
    report.timing(
        GROUP,
        "exact peak dose of 400 drifting frames (checked after every exposure)",
        t_peak,
        reference_s=reference_peak,
        max_ratio=0.25,
        reference_name="1024 frame",
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
