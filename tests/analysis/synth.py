"""Hand-made synthetic images with known answers for the analysis tests."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def render_spots(
    shape: tuple[int, int],
    pixel_size_nm: float,
    positions_nm: NDArray[np.float64],
    amplitudes: NDArray[np.float64] | float,
    sigma_nm: float,
    background: float = 0.0,
) -> NDArray[np.float64]:
    """Sum of round Gaussian spots at FOV positions (x, y) nm; pixel (i, j) centre = ((j+.5) px, (i+.5) px)."""
    image = np.full(shape, background, dtype=np.float64)
    amps = np.broadcast_to(np.asarray(amplitudes, dtype=np.float64), (len(positions_nm),))
    half = int(np.ceil(4 * sigma_nm / pixel_size_nm))
    for (x, y), amp in zip(positions_nm, amps, strict=True):
        cx, cy = x / pixel_size_nm - 0.5, y / pixel_size_nm - 0.5
        r0, c0 = max(int(cy) - half, 0), max(int(cx) - half, 0)
        r1, c1 = min(int(cy) + half + 2, shape[0]), min(int(cx) + half + 2, shape[1])
        if r0 >= r1 or c0 >= c1:
            continue
        rr, cc = np.mgrid[r0:r1, c0:c1]
        image[r0:r1, c0:c1] += amp * np.exp(-((rr - cy) ** 2 + (cc - cx) ** 2) * pixel_size_nm**2 / (2 * sigma_nm**2))
    return image


def lattice_sites(
    a1_nm: tuple[float, float], a2_nm: tuple[float, float], motif_nm: list[tuple[float, float]], fov_nm: float
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Every site (x, y) nm of a lattice with a motif inside [0, fov_nm)^2 and the motif index of each site."""
    a = np.array([a1_nm, a2_nm])
    n = int(np.ceil(2 * fov_nm / min(np.linalg.norm(a, axis=1)))) + 2
    h, k = np.meshgrid(np.arange(-n, n + 1), np.arange(-n, n + 1))
    cells = np.column_stack([h.ravel(), k.ravel()]) @ a
    sites, kinds = [], []
    for m, offset in enumerate(motif_nm):
        pts = cells + np.asarray(offset)
        keep = np.all((pts >= 0) & (pts < fov_nm), axis=1)
        sites.append(pts[keep])
        kinds.append(np.full(keep.sum(), m))
    return np.vstack(sites), np.concatenate(kinds)


def graphene_sites(fov_nm: float, origin_nm: tuple[float, float] = (0.11, 0.07)) -> NDArray[np.float64]:
    """Carbon sites of graphene (a = 0.246 nm, C-C 0.142 nm) filling a square FOV."""
    a = 0.246
    a1, a2 = (a, 0.0), (a / 2, a * np.sqrt(3) / 2)
    b = (a / 2, a / (2 * np.sqrt(3)))
    sites, _ = lattice_sites(a1, a2, [origin_nm, (origin_nm[0] + b[0], origin_nm[1] + b[1])], fov_nm)
    return sites


def mos2_sites(fov_nm: float) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """MoS2 [001] projection (a = 0.316 nm): motif 0 = Mo columns, motif 1 = S2 columns."""
    a = 0.316
    a1, a2 = (a, 0.0), (a / 2, a * np.sqrt(3) / 2)
    o = (0.05, 0.05)
    return lattice_sites(a1, a2, [o, (o[0] + a / 2, o[1] + a / (2 * np.sqrt(3)))], fov_nm)


def perovskite_image(
    n_px: int = 256, pixel_size_nm: float = 0.02, a_nm: float = 0.3905, rng: np.random.Generator | None = None
) -> NDArray[np.float64]:
    """SrTiO3 [001]-like image: bright Sr corners, Ti-O centres, dim O columns, Poisson counts if ``rng`` given."""
    fov = n_px * pixel_size_nm
    o = (0.13, 0.21)
    sites, kinds = lattice_sites(
        (a_nm, 0.0),
        (0.0, a_nm),
        [o, (o[0] + a_nm / 2, o[1] + a_nm / 2), (o[0] + a_nm / 2, o[1]), (o[0], o[1] + a_nm / 2)],
        fov,
    )
    amps = np.array([38.0**1.7, 22.0**1.7 + 8.0**1.7, 8.0**1.7, 8.0**1.7])[kinds] / 100.0
    image = render_spots((n_px, n_px), pixel_size_nm, sites, amps, 0.04, background=2.0)
    return rng.poisson(image * 20).astype(np.float64) if rng is not None else image
