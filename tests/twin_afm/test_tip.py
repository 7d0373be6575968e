"""Tip dilation against a brute-force grey dilation, ghosts of a double tip, and wear."""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

from copilot.twin.afm.tip import add_ghost, dilate, worn_radius_nm


def brute_force_dilation(surface: np.ndarray, pixel_nm: float, radius_nm: float, half_angle_deg: float) -> np.ndarray:
    """scipy grey dilation by the full 2-D paraboloid-plus-tangent-cone profile (slow, exact)."""
    slope = 1.0 / math.tan(math.radians(half_angle_deg))
    n = 40
    u = np.arange(-n, n + 1) * pixel_nm
    r = np.hypot(u[None, :], u[:, None])
    tangent = radius_nm * slope
    profile = np.where(r <= tangent, r**2 / (2 * radius_nm), radius_nm * slope**2 / 2 + (r - tangent) * slope)
    footprint = np.ones(profile.shape, dtype=bool)
    return ndimage.grey_dilation(surface, structure=-profile, footprint=footprint, mode="constant", cval=-1e9)


def bumpy_surface(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    s = np.zeros((128, 128))
    s[tuple(rng.integers(0, 128, (2, 25)))] = 1.0
    return ndimage.gaussian_filter(s, 2.0) * 800.0  # bumps some 20-30 nm tall


def test_dilation_matches_brute_force_grey_dilation_within_the_octagon_error():
    surface = bumpy_surface(1)
    fast = dilate(surface, 1.0, 8.0, 18.0)
    exact = brute_force_dilation(surface, 1.0, 8.0, 18.0)
    error = np.abs(fast - exact)
    assert error.mean() < 0.02 * np.ptp(surface)
    assert np.max(exact - fast) < 0.1 * np.ptp(surface)  # the inscribed octagon is never much narrower


def test_dilation_never_lowers_the_surface_and_widens_a_spike_by_the_apex_parabola():
    s = np.zeros((41, 41))
    s[20, 20] = 5.0
    image = dilate(s, pixel_size_nm=1.0, radius_nm=4.0, half_angle_deg=20.0)
    assert np.all(image >= s)
    assert image[20, 22] == 5.0 - 2.0**2 / (2 * 4.0)
    assert image[22, 20] == image[20, 22]  # isotropic along both axes


def test_a_flat_surface_is_imaged_unchanged():
    flat = np.full((16, 16), 3.0)
    assert np.array_equal(dilate(flat, 2.0, 10.0, 20.0), flat)


def test_a_blunter_tip_images_a_wider_feature():
    surface = bumpy_surface(2)
    sharp = dilate(surface, 1.0, 2.0, 10.0)
    blunt = dilate(surface, 1.0, 30.0, 30.0)
    assert np.all(blunt >= sharp - 1e-9)
    assert (blunt > 1.0).sum() > 1.5 * (sharp > 1.0).sum()


def test_a_double_tip_adds_a_lowered_ghost_copy_at_the_apex_offset():
    s = np.zeros((40, 40))
    s[10, 10] = 4.0
    image = add_ghost(s, pixel_size_nm=2.0, dx_nm=20.0, dy_nm=-6.0, dz_nm=1.0)
    assert image[10, 10] == 4.0
    # The second apex (10 px right, 3 px up of the first) touches the feature when the first is 10 px left of
    # it and 3 px below: a copy 1 nm lower appears there.
    assert np.argwhere(image == 3.0).tolist() == [[13, 0]]
    assert np.count_nonzero(image) == 2


def test_wear_grows_the_radius_with_distance_and_faster_with_harder_tapping():
    gentle = worn_radius_nm(8.0, 1000.0, setpoint_ratio=0.8)
    hard = worn_radius_nm(8.0, 1000.0, setpoint_ratio=0.4)
    assert 8.0 < gentle < hard
    assert worn_radius_nm(8.0, 0.0, 0.5) == 8.0
