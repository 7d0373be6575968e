"""Projected lattices: every site of a (rotated) 2D Bravais lattice with a basis inside a half-open box."""

from __future__ import annotations

import numpy as np

SQRT3 = float(np.sqrt(3.0))


def rotate(xy: np.ndarray, angle_deg: float) -> np.ndarray:
    """Points (N, 2) rotated counter-clockwise by ``angle_deg`` about the origin."""
    t = np.deg2rad(angle_deg)
    c, s = np.cos(t), np.sin(t)
    return xy @ np.array([[c, s], [-s, c]])


def lattice_sites(
    a1: tuple[float, float],
    a2: tuple[float, float],
    basis: list[tuple[float, float]],
    origin_nm: tuple[float, float],
    angle_deg: float,
    box: tuple[float, float, float, float],
) -> tuple[np.ndarray, np.ndarray]:
    """Sites ``origin + R(angle) (i a1 + j a2 + b)`` inside [x0, x1) x [y0, y1).

    Returns the positions (N, 2) and the basis index of each site. Because the box is half-open, boxes that
    tile the plane share no site.
    """
    vecs = rotate(np.array([a1, a2], dtype=np.float64), angle_deg)
    frac_basis = np.array(basis, dtype=np.float64)
    cart_basis = frac_basis @ vecs
    x0, y0, x1, y1 = box
    corners = np.array([[x0, y0], [x1, y0], [x0, y1], [x1, y1]]) - np.asarray(origin_nm)
    ij = corners @ np.linalg.inv(vecs)
    lo = np.floor(ij.min(axis=0)) - 1
    hi = np.ceil(ij.max(axis=0)) + 1
    i, j = np.meshgrid(np.arange(lo[0], hi[0] + 1), np.arange(lo[1], hi[1] + 1), indexing="ij")
    cells = np.column_stack([i.ravel(), j.ravel()]) @ vecs + np.asarray(origin_nm)
    xy = (cells[:, None, :] + cart_basis[None, :, :]).reshape(-1, 2)
    idx = np.tile(np.arange(len(basis)), len(cells))
    keep = (xy[:, 0] >= x0) & (xy[:, 0] < x1) & (xy[:, 1] >= y0) & (xy[:, 1] < y1)
    return xy[keep], idx[keep]


def hexagonal_sites(
    a_nm: float, angle_deg: float, origin_nm: tuple[float, float], box: tuple[float, float, float, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Honeycomb sites (graphene, or the Mo / S2 sublattices of MoS2); basis index 0 = A, 1 = B."""
    return lattice_sites(
        (a_nm, 0.0), (a_nm / 2, a_nm * SQRT3 / 2), [(0.0, 0.0), (1 / 3, 1 / 3)], origin_nm, angle_deg, box
    )


def square_sites(
    spacing_nm: float, angle_deg: float, origin_nm: tuple[float, float], box: tuple[float, float, float, float]
) -> np.ndarray:
    """Sites of a square lattice (fcc columns along [001] have spacing a/2)."""
    xy, _ = lattice_sites((spacing_nm, 0.0), (0.0, spacing_nm), [(0.0, 0.0)], origin_nm, angle_deg, box)
    return xy
