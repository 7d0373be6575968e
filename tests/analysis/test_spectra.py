"""Element identification on synthetic EELS edges and EDS lines with Poisson counts."""

import numpy as np
import pytest

from copilot.analysis.errors import AnalysisError
from copilot.analysis.spectra import identify_elements
from copilot.twin import Microscope


def _eels(edges: dict[float, float], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    energy = np.arange(100.0, 1000.0, 0.5)
    signal = 2e10 * energy**-3.0
    for onset, ratio in edges.items():
        signal += np.where(energy > onset, ratio * 2e10 * onset**-3.0 * (energy / onset) ** -3.5, 0.0)
    return energy, rng.poisson(signal).astype(np.float64)


def _eds(lines: dict[float, float], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    energy = np.arange(100.0, 20000.0, 10.0)
    signal = 2000.0 * np.exp(-energy / 6000.0) + 50.0
    for centre, amp in lines.items():
        sigma = np.sqrt(130.0**2 + 2.53 * (centre - 5895.0)) / 2.3548
        signal += amp * np.exp(-0.5 * ((energy - centre) / sigma) ** 2)
    return energy, rng.poisson(signal).astype(np.float64)


def test_eels_finds_carbon_and_oxygen_edges_and_nothing_else() -> None:
    energy, counts = _eels({284.0: 0.3, 532.0: 0.2}, np.random.default_rng(0))
    result = identify_elements(energy, counts, "EELS")
    assert result.present == ("C", "O")
    carbon = next(e for e in result.evidence if e.element == "C")
    assert carbon.confidence > 0.99


def test_eels_without_edges_reports_no_element() -> None:
    energy, counts = _eels({}, np.random.default_rng(1))
    assert identify_elements(energy, counts, "EELS").present == ()


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ({2293.0: 3000.0, 2395.0: 1500.0, 2307.0: 6000.0, 2464.0: 400.0}, ("Mo", "S")),
        ({2307.0: 6000.0, 2464.0: 400.0}, ("S",)),
        ({2293.0: 3000.0, 2395.0: 1500.0}, ("Mo",)),
        ({1740.0: 800.0}, ("Si",)),
    ],
)
def test_eds_tells_mo_from_s_despite_the_overlapping_lines(lines: dict[float, float], expected: tuple) -> None:
    energy, counts = _eds(lines, np.random.default_rng(2))
    assert set(identify_elements(energy, counts, "EDS").present) == set(expected)


def test_a_decreasing_energy_axis_is_rejected() -> None:
    with pytest.raises(AnalysisError, match="increasing"):
        identify_elements(np.arange(100.0, 0.0, -1.0), np.ones(100), "EELS")


def test_eds_reads_no_element_into_a_window_absorbed_continuum_with_many_counts() -> None:
    energy = np.arange(5.0, 20000.0, 10.0)
    e_kev = energy / 1000.0
    continuum = 4e4 * np.exp(-((0.27 / e_kev) ** 3)) * np.log(64.5 / e_kev) / e_kev  # thin target behind a window
    counts = np.random.default_rng(3).poisson(continuum).astype(np.float64)
    assert counts.sum() > 1e6
    assert identify_elements(energy, counts, "EDS").present == ()


def test_eds_finds_a_line_of_twenty_counts_on_an_empty_background() -> None:
    energy = np.arange(100.0, 20000.0, 10.0)
    sigma = np.sqrt(130.0**2 + 2.53 * (17479.0 - 5895.0)) / 2.3548
    line = 20.0 * 10.0 / (sigma * np.sqrt(2 * np.pi)) * np.exp(-0.5 * ((energy - 17479.0) / sigma) ** 2)
    counts = np.random.default_rng(4).poisson(line + 0.01).astype(np.float64)
    assert identify_elements(energy, counts, "EDS").present == ("Mo",)


@pytest.mark.parametrize("counts_per_channel", [0.02, 0.0])
def test_eels_finds_a_high_energy_edge_of_a_few_counts_only_when_it_is_there(counts_per_channel: float) -> None:
    energy = np.arange(2000.0, 3000.0, 1.0)
    background = 0.03 * (energy / 2000.0) ** -3.0
    edge = np.where(energy > 2520.0, 0.3 * (energy / 2520.0) ** -3.0, 0.0) * (counts_per_channel > 0)
    counts = np.random.default_rng(5).poisson(background + edge).astype(np.float64)
    found = identify_elements(energy, counts, "EELS").present
    assert found == (("Mo",) if counts_per_channel > 0 else ())


def _twin_spectrum(specimen: str, kind: str, dwell_ms: float, current_pa: float | None = None) -> tuple:
    m = Microscope(specimen, seed=0, drift_nm_per_s=0.0)
    if current_pa is not None:
        m.set_beam(current_pa=current_pa)
    fov = m.state.scan.fov_nm
    s = m.acquire_spectrum(kind, fov / 2, fov / 2, dwell_ms=dwell_ms)
    x, y = m.fov_to_specimen(fov / 2, fov / 2)
    truth = set(m.ground_truth_atoms(x - 1.0, y - 1.0, x + 1.0, y + 1.0).elements) | (
        {"C"} if specimen != "mos2" else set()
    )
    return identify_elements(s.energy_eV, s.counts, kind).present, truth


@pytest.mark.parametrize(
    ("specimen", "kind", "dwell_ms", "current_pa", "expected"),
    [
        ("srtio3", "EELS", 100.0, None, {"Sr", "Ti", "O"}),
        ("srtio3", "EDS", 30000.0, 200.0, {"Sr", "Ti", "O"}),
        ("graphene", "EELS", 20.0, None, {"C"}),
        ("gold_nanoparticles", "EELS", 100.0, None, {"C"}),
        ("mos2", "EELS", 100.0, None, {"Mo", "S"}),
    ],
)
def test_twin_spectra_show_their_elements_and_no_others(
    specimen: str, kind: str, dwell_ms: float, current_pa: float | None, expected: set[str]
) -> None:
    present, truth = _twin_spectrum(specimen, kind, dwell_ms, current_pa)
    assert expected <= set(present) <= truth


def test_the_search_covers_every_edge_the_twin_draws_and_every_line_it_emits() -> None:
    from copilot.analysis.elements import EDS_LINES, EELS_EDGES
    from copilot.twin.edges import EELS_EDGES as TWIN_EDGES
    from copilot.twin.elements import EDS_LINES as TWIN_LINES

    for element, edges in TWIN_EDGES.items():
        for edge in edges:
            assert any(
                e.element == element and e.energy_eV <= edge.onset_eV < e.energy_eV + e.window_eV for e in EELS_EDGES
            ), edge.label
    assert ("Si", "L2,3", 99.0) in {(e.element, e.edge, e.energy_eV) for e in EELS_EDGES}
    lines = {(ln.element, ln.energy_keV) for ln in EDS_LINES}
    assert all((el, ln.energy_keV) in lines for el, group in TWIN_LINES.items() for ln in group)
