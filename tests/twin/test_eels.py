"""EELS shows each material's own plasmons, plural scattering, white lines and every tabulated edge at its onset,
with core-loss cross-sections that follow the beam energy and the collection angle."""

from __future__ import annotations

import numpy as np
import pytest

from copilot.twin import Microscope
from copilot.twin.edges import EELS_EDGES
from copilot.twin.eels import edge_cross_section_nm2_per_eV, mean_free_path_nm
from tests.twin.helpers import clear_spot, go, quiet

LITERATURE_PLASMONS_EV = {
    "graphene": (14.6, 4.7),  # monolayer pi+sigma and pi (Eberlein et al. 2008)
    "grain_boundary": (14.6, 4.7),
    "mos2": (14.0, 8.3),  # monolayer (Nerl et al. 2017)
    "srtio3": (30.0, 13.5),  # volume plasmon and interband peak (van Benthem et al. 2001)
    "gold_nanoparticles": (25.0,),  # Au and the amorphous carbon support both near 25 eV (Egerton 2011)
}


def _spectrum(name: str, seed: int = 0, kv: float | None = None, dwell_ms: float = 10.0) -> tuple[Microscope, object]:
    m = quiet(name, seed=seed)
    if kv is not None:
        m.set_beam(energy_kv=kv)
    go(m, clear_spot(m.specimen, 20.0), fov_nm=2.0, pixels=64)
    return m, m.acquire_spectrum("EELS", 1.0, 1.0, dwell_ms=dwell_ms)


def _peak_near(energy: np.ndarray, counts: np.ndarray, target: float, half_window: float = 4.0) -> float:
    """Position of the largest local maximum within a window (clear of the zero-loss peak), refined by a parabola
    through three channels."""
    half_window = min(half_window, target - 2.0)
    idx = np.flatnonzero(np.abs(energy - target) <= half_window)
    i = idx[np.argmax(counts[idx])]
    assert idx[0] < i < idx[-1], f"no maximum inside {target} +- {half_window} eV"
    a, b, c = counts[i - 1 : i + 2]
    return float(energy[i] + 0.5 * (a - c) / (a - 2 * b + c))


def _power_law_ratio(
    energy: np.ndarray, counts: np.ndarray, fit: tuple[float, float], at: tuple[float, float]
) -> float:
    """Counts in the ``at`` window over the power law fitted in the ``fit`` window and extrapolated there."""
    f = (energy >= fit[0]) & (energy <= fit[1])
    slope, icept = np.polyfit(np.log(energy[f]), np.log(counts[f]), 1)
    w = (energy >= at[0]) & (energy <= at[1])
    return float(counts[w].sum() / np.exp(icept + slope * np.log(energy[w])).sum())


@pytest.mark.parametrize("name", sorted(LITERATURE_PLASMONS_EV))
def test_each_specimen_shows_its_own_plasmons_within_1_ev_of_the_literature(name):
    _, s = _spectrum(name)
    for literature in LITERATURE_PLASMONS_EV[name]:
        assert _peak_near(s.energy_eV, s.counts, literature) == pytest.approx(literature, abs=1.0)


def test_the_strongest_valence_peak_differs_between_materials():
    peaks = {}
    for name in ("graphene", "srtio3"):
        s = _spectrum(name)[1]
        peaks[name] = _peak_near(s.energy_eV, s.counts, 20.0, 12.0)
    assert peaks["srtio3"] - peaks["graphene"] > 10.0  # one 24 eV plasmon for every material would fail here


def test_the_log_ratio_thickness_matches_the_true_thickness_over_the_mean_free_path():
    m, s = _spectrum("srtio3", kv=200.0)
    e, c = s.energy_eV, s.counts
    t_over_lambda = np.log(c.sum() / c[np.abs(e) <= 3].sum())
    x, y = m.fov_to_specimen(1.0, 1.0)
    truth = m.specimen.thickness_nm(x, y) / mean_free_path_nm(19.3, 200.0, 20.0)
    assert 0.1 < truth < 1.0
    assert t_over_lambda == pytest.approx(truth, rel=0.1)  # the core losses add a little


def test_a_thicker_area_shows_more_plural_plasmon_scattering():
    m = quiet("srtio3", seed=0)
    ratios = []
    for x_nm in (-800.0, 0.0, 800.0):  # the wedge thickens towards +x: about 8, 32 and 56 nm
        go(m, clear_spot(m.specimen, 20.0, (x_nm, 0.0)), fov_nm=2.0, pixels=64)
        s = m.acquire_spectrum("EELS", 1.0, 1.0, dwell_ms=10.0)
        e, c = s.energy_eV, s.counts
        single = c[(e > 25) & (e < 35)].sum()
        double = c[(e > 55) & (e < 65)].sum()
        ratios.append(double / single)
    assert np.all(np.diff(ratios) > 0.03)  # the double-plasmon part grows with t/lambda over the single tail
    assert ratios[2] - ratios[0] > 0.1


def test_the_valence_background_falls_smoothly_with_no_step():
    _, s = _spectrum("graphene")
    e, c = s.energy_eV, s.counts
    tail = c[(e >= 30) & (e <= 95)]
    assert np.all(np.diff(tail) < 0)
    assert np.max(np.abs(np.diff(np.log(tail)))) < 0.15


EDGES_TO_SEE = [
    ("mos2", "S-L2,3"),
    ("mos2", "Mo-M4,5"),
    ("mos2", "Mo-M3"),
    ("mos2", "S-K"),
    ("mos2", "Mo-L3"),
    ("srtio3", "Sr-M4,5"),
    ("srtio3", "Ti-L3"),
    ("srtio3", "O-K"),
    ("srtio3", "Sr-L3"),
    ("graphene", "C-K"),
]


@pytest.mark.parametrize(("name", "label"), EDGES_TO_SEE)
def test_every_edge_rises_at_its_onset_and_not_before(name, label):
    edge = next(ed for eds in EELS_EDGES.values() for ed in eds if ed.label == label)
    _, s = _spectrum(name, dwell_ms=1000.0)
    e0, e, c = edge.onset_eV, s.energy_eV, s.counts
    earlier = max((ed.onset_eV for eds in EELS_EDGES.values() for ed in eds if ed.onset_eV < e0), default=0.0)
    soft = 3 * edge.onset_width_eV
    fit = (max(e0 - max(40.0, 0.06 * e0), earlier + 5.0), e0 - 8.0 - soft)
    rise = 60.0 if edge.delay_eV else max(15.0, 0.01 * e0)
    assert _power_law_ratio(e, c, fit, (e0 - 6.0 - soft, e0 - soft)) == pytest.approx(1.0, abs=0.03)
    assert _power_law_ratio(e, c, fit, (e0 + 2.0, e0 + rise)) > 1.03


def test_the_mo_m2_edge_adds_to_the_tail_of_the_mo_m3_edge():
    _, s = _spectrum("mos2", dwell_ms=1000.0)
    assert _power_law_ratio(s.energy_eV, s.counts, (398.0, 406.0), (412.0, 430.0)) > 1.03


def test_the_ti_l3_and_l2_white_lines_stand_out_of_the_srtio3_edge():
    _, s = _spectrum("srtio3", dwell_ms=1000.0)
    e, c = s.energy_eV, s.counts
    l3 = _peak_near(e, c, 459.0, 2.5)
    l2 = _peak_near(e, c, 464.5, 2.0)
    assert 457.0 < l3 < 461.0 and 462.5 < l2 < 466.5
    continuum = c[(e > 480) & (e < 490)].mean()
    assert c[(e > 455) & (e < 468)].max() > 2.0 * continuum


def test_core_loss_cross_sections_fall_with_beam_energy_and_grow_with_collection_angle():
    edge = EELS_EDGES["C"][0]
    e = np.array([300.0])
    by_kv = [float(edge_cross_section_nm2_per_eV(edge, e, kv, 20.0)[0]) for kv in (60.0, 80.0, 200.0, 300.0)]
    assert np.all(np.diff(by_kv) < 0)
    assert 1.3 < by_kv[0] / by_kv[2] < 2.0  # 1/v^2 falls 2.4x from 60 to 200 kV, the logarithm grows 1.5x
    by_angle = [float(edge_cross_section_nm2_per_eV(edge, e, 200.0, b)[0]) for b in (2.0, 5.0, 10.0, 20.0, 50.0)]
    assert np.all(np.diff(by_angle) > 0)
    assert by_angle[1] / by_angle[0] > by_angle[4] / by_angle[3]  # the gain flattens beyond theta_E


def test_the_c_k_signal_per_electron_falls_from_80_to_200_kv_on_graphene():
    ck = []
    for kv in (80.0, 200.0):
        _, s = _spectrum("graphene", kv=kv, dwell_ms=1000.0)
        e, c = s.energy_eV, s.counts
        ck.append(c[(e > 286) & (e < 330)].sum() - c[(e > 240) & (e < 284)].sum() * (268.0 / 308.0) ** 3)
    assert ck[0] > 1.25 * ck[1] > 0  # 1/v^2: 1.9x, partly undone by the logarithm
