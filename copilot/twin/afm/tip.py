"""Tip convolution: the image of a surface seen through a tip of finite size.

The recorded height is the grey dilation ``image(x) = max_u [ s(x + u) - p(u) ]`` of the surface ``s`` by the tip
profile ``p`` (height of the tip surface above its apex at lateral offset ``u``). The tip is an apex of radius
``R``, modelled by the paraboloid ``u^2 / 2R`` of the same curvature, blended into a tangent cone of half-angle
``theta``: that profile is the infimal convolution of the paraboloid (truncated where its slope reaches the cone
slope) and the cone, so the dilation is the paraboloid dilation followed by the cone dilation.

- The paraboloid is separable: two 1-D dilations (rows, then columns), one vector operation per pixel offset.
- The cone is approximated by an octagonal cone inscribed in it: the infimal convolution of four linear "V"
  profiles along 0, 45, 90 and 135 degrees (its level sets are the convex hull of the four segments). A linear
  profile is additive along its direction, so each one-sided V needs only ``log2(extent)`` shift-and-max
  operations (offsets 1, 2, 4, ...).
- A double tip (a second apex offset by ``(dx, dy)`` and higher by ``dz``) adds a shifted, lowered copy.

No Python loop runs over pixels; the loops run over offsets (tens at most) of whole-image vector operations.
"""

from __future__ import annotations

import math

import numpy as np

_DIRECTIONS = ((0, 1), (1, 0), (1, 1), (1, -1))


def _shifted(a: np.ndarray, di: int, dj: int) -> np.ndarray:
    """``out[i, j] = a[i + di, j + dj]``, with -inf where that falls outside the image."""
    out = np.full_like(a, -np.inf)
    rows, cols = a.shape
    src_i = slice(max(di, 0), rows + min(di, 0))
    src_j = slice(max(dj, 0), cols + min(dj, 0))
    dst_i = slice(max(-di, 0), rows + min(-di, 0))
    dst_j = slice(max(-dj, 0), cols + min(-dj, 0))
    out[dst_i, dst_j] = a[src_i, src_j]
    return out


def _parabola_dilation(surface: np.ndarray, curvature_nm_per_px2: float, max_offset_px: int, axis: int) -> np.ndarray:
    """1-D dilation along ``axis`` by ``c * t^2`` (t in pixels, result in nm) for offsets up to ``max_offset_px``."""
    out = surface.copy()
    moved = np.moveaxis(out, axis, -1)  # views: the offset runs along the last axis
    source = np.moveaxis(surface, axis, -1)
    for t in range(1, min(max_offset_px, source.shape[-1] - 1) + 1):
        cost = curvature_nm_per_px2 * t * t
        np.maximum(moved[..., :-t], source[..., t:] - cost, out=moved[..., :-t])
        np.maximum(moved[..., t:], source[..., :-t] - cost, out=moved[..., t:])
    return out


def _linear_dilation(surface: np.ndarray, slope_per_px: float, extent_px: int, step: tuple[int, int]) -> np.ndarray:
    """Dilation by ``slope * |t|`` along the pixel direction ``step`` for ``|t| <= extent_px`` (log-doubling)."""
    step_length = math.hypot(*step)
    out = surface
    for sign in (1, -1):
        shift = 1
        while shift <= extent_px:
            di, dj = sign * shift * step[0], sign * shift * step[1]
            out = np.maximum(out, _shifted(out, di, dj) - slope_per_px * shift * step_length)
            shift *= 2
    return out


def dilate(surface_nm: np.ndarray, pixel_size_nm: float, radius_nm: float, half_angle_deg: float) -> np.ndarray:
    """Image of ``surface_nm`` (heights in nm on a square pixel grid) through a sphere-cone tip.

    Offsets are only explored as far as the height range of the surface can matter, so flat surfaces are cheap.

    >>> s = np.zeros((5, 5)); s[2, 2] = 10.0
    >>> img = dilate(s, pixel_size_nm=1.0, radius_nm=2.0, half_angle_deg=20.0)
    >>> float(img[2, 2]), float(img[2, 3])
    (10.0, 9.75)
    """
    surface = np.asarray(surface_nm, dtype=np.float64)
    height_range_nm = float(np.ptp(surface)) if surface.size else 0.0
    if height_range_nm <= 0.0:
        return surface.copy()
    curvature = pixel_size_nm**2 / (2.0 * radius_nm)  # paraboloid u^2 / 2R with u in pixels
    cone_slope = 1.0 / math.tan(math.radians(half_angle_deg))  # height per lateral length
    # Paraboloid apex: up to where its slope reaches the cone's, or where it rises above the height range.
    tangent_px = radius_nm * cone_slope / pixel_size_nm
    reach_px = math.sqrt(2.0 * radius_nm * height_range_nm) / pixel_size_nm
    apex_px = int(min(tangent_px, reach_px, max(surface.shape)))
    out = _parabola_dilation(surface, curvature, apex_px, axis=1)
    out = _parabola_dilation(out, curvature, apex_px, axis=0)
    if reach_px > tangent_px:  # the cone flanks touch features the apex cannot reach
        extent_px = math.ceil(height_range_nm / (cone_slope * pixel_size_nm))
        for step in _DIRECTIONS:
            out = _linear_dilation(out, cone_slope * pixel_size_nm, extent_px, step)
    return out


def add_ghost(image_nm: np.ndarray, pixel_size_nm: float, dx_nm: float, dy_nm: float, dz_nm: float) -> np.ndarray:
    """Image through a double tip: a second apex offset by ``(dx, dy)`` nm and ``dz`` nm higher than the first."""
    di = round(dy_nm / pixel_size_nm)
    dj = round(dx_nm / pixel_size_nm)
    return np.maximum(image_nm, _shifted(image_nm, di, dj) - dz_nm)


def worn_radius_nm(radius_nm: float, distance_um: float, setpoint_ratio: float) -> float:
    """Apex radius after scanning ``distance_um``: wear grows with distance and with tapping force.

    A sharp silicon tip in tapping mode at a setpoint ratio of 0.7 blunts by about 1 nm per 1000 um of travel;
    harder tapping (lower ratio) wears it proportionally faster.
    """
    hardness = max(1.0 - setpoint_ratio, 0.0) / 0.3
    return radius_nm + 1e-3 * distance_um * hardness
