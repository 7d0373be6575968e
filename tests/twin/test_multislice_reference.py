"""The twin's HAADF and BF column fractions agree with frozen-phonon multislice (abTEM) within 10 %.

The reference numbers (tests/twin/data/abtem_reference.json) come from ``scripts/abtem_stem_tables.py run --seed
2 --srtio3-cells 80``: abTEM 1.0.11, 30 mrad, C3 = 1 um, the probe on each column type, at 80 kV (16 frozen-phonon
configurations, the beam recorded in rings from 0 to 250 mrad) and 200 kV (graphene 4 configurations, MoS2 16,
SrTiO3 8). That run is independent of the ones the tables were made from (seeds 1 and 3). abTEM is fully
coherent, so the twin's column is made coherent here (no focal spread, point source, no intrinsic aberrations).

The S2 column of MoS2 needs many configurations: its two S atoms scatter partly coherently, by how much depends
on their relative thermal displacement, so with 4 configurations its 200 kV fraction spread from 0.00416 to
0.00548 over five runs (1 and 4 nm cells alike); with 16 or more, 0.00479-0.00500 (1, 2 and 4 nm cells).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.ndimage import map_coordinates

from copilot.twin import Microscope
from copilot.twin.column import Column
from copilot.twin.dose import electrons
from copilot.twin.specimens import ContaminationPatch, Hole
from copilot.twin.specimens.srtio3 import SRTIO3_A_NM, THICK_EDGE_NM, THIN_EDGE_NM
from tests.twin.helpers import clear_spot

REFERENCE = json.loads((Path(__file__).parent / "data" / "abtem_reference.json").read_text())
FOV_NM, PIXELS = 1.6, 256
TOLERANCE = 0.10
# Column type of each abTEM probe site -> (element of the twin's column, atoms per column of that element).
SITES = {"C": "C", "Mo": "Mo", "S2": "S", "Sr": "Sr", "TiO": "Ti", "O": "O"}
SRTIO3_CELLS = (10, 20, 40, 80)
RATIOS = {"srtio3": (("Sr", "TiO"), ("O", "Sr")), "mos2": (("Mo", "S2"),)}
ANNULI_MRAD = ((40, 80), (40, 250), (60, 150), (100, 250), (150, 250))
BF_DISCS_MRAD = (5, 15, 20, 25, 40)
NOISY_RINGS = {
    ("srtio3", 10, (40, 80)): "at 40-80 mrad and 4 nm two multislice runs of 16 frozen-phonon configurations "
    "differ by 10-12 % on Sr and Ti-O (the table's run and the reference), so the twin cannot be within 10 % of both",
}
SMALL_DISC = {
    ("mos2", 5): "the weak-phase transfer undervalues the bright field of MoS2 in a disc of a sixth of the "
    "convergence angle (Mo -11 %, S2 -13 % at 5 mrad; within 6 % from 15 mrad)",
}


def _run(specimen: str, kv: float) -> dict:
    return next(r for r in REFERENCE["runs"] if r["specimen"] == specimen and r["energy_kv"] == kv)


def _microscope(specimen: str, kv: float, cells: int | None) -> Microscope:
    m = Microscope(specimen, seed=0, noise=False, drift_nm_per_s=0.0, column=Column.coherent())
    m.set_beam(energy_kv=kv)
    m.set_optics(convergence_mrad=REFERENCE["semiangle_mrad"], cs_um=REFERENCE["c3_A"] / 1e4)
    if cells is None:
        x, y = clear_spot(m.specimen, 10.0)
    else:  # the place on the wedge that is ``cells`` unit cells thick, away from holes
        h = m.specimen.half_extent_nm
        t = min(max(cells * SRTIO3_A_NM, THIN_EDGE_NM), THICK_EDGE_NM)
        x = -h + (t - THIN_EDGE_NM) / (THICK_EDGE_NM - THIN_EDGE_NM) * 2 * h
        x = max(x, -h + FOV_NM)
        y = _clear_y(m, x)
        assert round(m.specimen.substrate_thickness_nm(x, y) / SRTIO3_A_NM) == cells
    m.move_stage(x_um=x / 1000.0, y_um=y / 1000.0)
    m.set_scan(fov_nm=FOV_NM, pixels=PIXELS)
    m.set_optics(defocus_nm=m.true_focus_defocus_nm())
    return m


def _clear_y(m: Microscope, x_nm: float) -> float:
    """A y (nm) at which a field of view centred on x_nm stays clear of holes and contamination."""
    discs: list[Hole | ContaminationPatch] = [*m.specimen.holes, *m.specimen.contamination]
    for y in np.arange(0.0, 900.0, 5.0):
        if all(np.hypot(x_nm - d.center_nm[0], y - d.center_nm[1]) > d.radius_nm * 1.3 + 3.0 for d in discs):
            return float(y)
    raise AssertionError("no clear place on the wedge")


def _fractions(m: Microscope, detector: str) -> dict[str, float]:
    """Median fraction of the beam on the detector with the probe on each column type in the central area."""
    frame = m.acquire_image(detector)
    st = m.state
    image = frame.data / (electrons(st.beam.current_pa, st.scan.dwell_us * 1e-6) * st.detectors.dqe)
    lo, hi = m.fov_to_specimen(0.3, 0.3), m.fov_to_specimen(FOV_NM - 0.3, FOV_NM - 0.3)
    atoms = m.ground_truth_atoms(lo[0], lo[1], hi[0], hi[1])
    u, v = m.specimen_to_fov(atoms.xy_nm[:, 0], atoms.xy_nm[:, 1])
    px = FOV_NM / PIXELS
    values = map_coordinates(image, [np.asarray(v) / px - 0.5, np.asarray(u) / px - 0.5], order=1)
    out = {}
    for site, element in SITES.items():
        sel = atoms.elements == element
        if site == "O":  # pure O columns: O sites with no Ti on them
            ti = {tuple(p) for p in np.round(atoms.xy_nm[atoms.elements == "Ti"], 4)}
            sel &= np.array([tuple(p) not in ti for p in np.round(atoms.xy_nm, 4)])
        if site == "S2":
            sel &= atoms.count == 2
        if site == "C":
            sel &= atoms.count == 1
        if sel.any():
            out[site] = float(np.median(values[sel]))
    return out


def _cases() -> list:
    cases: list = []
    for kv in (80.0, 200.0):
        cases += [("graphene", kv, None), ("mos2", kv, None)]
        cases += [("srtio3", kv, c) for c in SRTIO3_CELLS]
    return cases


def _reference(
    specimen: str, kv: float, cells: int | None, detector: str, angles_mrad: tuple[float, float] | None = None
) -> dict[str, float]:
    """abTEM's fraction at each site: on the default detector, or between two ring edges ``angles_mrad``."""
    run = _run(specimen, kv)
    plane = 0 if cells is None else run["cells"].index(cells)
    if angles_mrad is None:
        values = run[detector.lower()][plane]
    else:
        edges = run["rings_mrad"]
        lo, hi = edges.index(angles_mrad[0]), edges.index(angles_mrad[1])
        values = [sum(ring[lo:hi]) for ring in run["rings"][plane]]
    return {site: float(values[i]) for i, site in enumerate(run["sites"]) if site in SITES}


@pytest.mark.slow
@pytest.mark.parametrize(("specimen", "kv", "cells"), _cases())
def test_haadf_column_fractions_and_their_ratios_match_multislice(specimen, kv, cells):
    twin = _fractions(_microscope(specimen, kv, cells), "HAADF")
    ref = _reference(specimen, kv, cells, "HAADF")
    for site, value in ref.items():
        assert twin[site] == pytest.approx(value, rel=TOLERANCE), site
    for a, b in RATIOS.get(specimen, ()):
        assert twin[a] / twin[b] == pytest.approx(ref[a] / ref[b], rel=TOLERANCE), f"{a}/{b}"


@pytest.mark.slow
@pytest.mark.parametrize(("specimen", "kv"), [("graphene", 80.0), ("graphene", 200.0), ("mos2", 80.0), ("mos2", 200.0)])
def test_bright_field_fractions_of_monolayers_match_multislice(specimen, kv):
    twin = _fractions(_microscope(specimen, kv, None), "BF")
    ref = _reference(specimen, kv, None, "BF")
    for site, value in ref.items():
        assert twin[site] == pytest.approx(value, rel=TOLERANCE), site


def test_bright_field_collects_what_multislice_collects_in_vacuum():
    from copilot.twin.bright_field import vacuum_fraction

    for kv in (80.0, 200.0):
        expected = _run("graphene", kv)["bf_vacuum"]
        assert vacuum_fraction(kv, 0.030, 0.010) == pytest.approx(expected, rel=0.03)


def _angle_cases() -> list:
    cases: list = []
    for specimen, cells in [("graphene", None), ("mos2", None), *[("srtio3", c) for c in SRTIO3_CELLS]]:
        for annulus in ANNULI_MRAD:
            case = (specimen, cells, annulus)
            if case in NOISY_RINGS:
                cases.append(pytest.param(*case, marks=pytest.mark.xfail(reason=NOISY_RINGS[case], strict=True)))
            else:
                cases.append(case)
    return cases


@pytest.mark.slow
@pytest.mark.parametrize(("specimen", "cells", "annulus"), _angle_cases())
def test_haadf_fractions_follow_the_annulus_as_multislice_does(specimen, cells, annulus):
    """Other annuli than the default, against the independent run's rings (80 kV)."""
    m = _microscope(specimen, 80.0, cells)
    m.set_detectors(haadf_inner_mrad=annulus[0], haadf_outer_mrad=annulus[1])
    twin = _fractions(m, "HAADF")
    ref = _reference(specimen, 80.0, cells, "HAADF", annulus)
    for site, value in ref.items():
        assert twin[site] == pytest.approx(value, rel=TOLERANCE), site


def _disc_cases() -> list:
    cases: list = []
    for specimen in ("graphene", "mos2"):
        for disc in BF_DISCS_MRAD:
            reason = SMALL_DISC.get((specimen, disc))
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            cases.append(pytest.param(specimen, disc, marks=marks))
    return cases


@pytest.mark.slow
@pytest.mark.parametrize(("specimen", "disc"), _disc_cases())
def test_bright_field_fractions_follow_the_disc_as_multislice_does(specimen, disc):
    m = _microscope(specimen, 80.0, None)
    m.set_detectors(bf_outer_mrad=disc)
    twin = _fractions(m, "BF")
    ref = _reference(specimen, 80.0, None, "BF", (0, disc))
    for site, value in ref.items():
        assert twin[site] == pytest.approx(value, rel=TOLERANCE), site


@pytest.mark.slow
@pytest.mark.parametrize("kv", [80.0, 200.0])
def test_bright_field_fractions_of_a_thick_crystal_match_multislice(kv):
    """SrTiO3 from 4 to 31 nm: dynamical diffraction sends up to a third of the beam into the 10 mrad disc on
    the O columns (more than the vacuum probe puts there) and little on Sr. Within 10 %, or 0.04 of the beam on
    the dim columns: two multislice runs differ by that much there (Sr 0.067 and 0.036 at 200 kV, 80 cells)."""
    for cells in SRTIO3_CELLS:
        twin = _fractions(_microscope("srtio3", kv, cells), "BF")
        ref = _reference("srtio3", kv, cells, "BF")
        for site, value in ref.items():
            assert abs(twin[site] - value) <= max(TOLERANCE * value, 0.04), f"{site} at {cells} cells"
        if cells >= 20:
            assert twin["O"] > 2 * twin["Sr"]
