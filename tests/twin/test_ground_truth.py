"""Ground truth is consistent: tiles are seeded by place, defects match the atoms, drift depends only on time."""

from __future__ import annotations

import numpy as np
import pytest

from copilot.twin.drift import Drift
from copilot.twin.specimens import make_specimen


def test_the_same_place_holds_the_same_atoms_whatever_box_asks_for_it():
    a = make_specimen("mos2", seed=11)
    b = make_specimen("mos2", seed=11)
    small, _ = a.columns((3.0, 4.0, 7.0, 9.0))
    b.columns((-50.0, -50.0, 50.0, 50.0))  # warm other tiles first
    large, _ = b.columns((0.0, 0.0, 20.0, 20.0))
    inside = (
        (large.xy_nm[:, 0] >= 3.0) & (large.xy_nm[:, 0] < 7.0) & (large.xy_nm[:, 1] >= 4.0) & (large.xy_nm[:, 1] < 9.0)
    )
    order_a, order_b = np.lexsort(small.xy_nm.T), np.lexsort(large.xy_nm[inside].T)
    assert np.array_equal(small.xy_nm[order_a], large.xy_nm[inside][order_b])
    assert np.array_equal(small.elements[order_a], large.elements[inside][order_b])


def test_a_different_seed_gives_a_different_specimen():
    a, _ = make_specimen("graphene", seed=1).columns((0.0, 0.0, 5.0, 5.0))
    b, _ = make_specimen("graphene", seed=2).columns((0.0, 0.0, 5.0, 5.0))
    assert len(a) != len(b) or not np.allclose(a.xy_nm, b.xy_nm)


def test_listed_defects_match_the_atoms():
    spec = make_specimen("graphene", seed=3)
    box = (0.0, 0.0, 40.0, 40.0)
    atoms, _ = spec.columns(box)
    atoms = atoms.select(atoms.count == 1)  # the lattice, without amorphous contamination pseudo-columns
    defects = spec.defects_in(box)
    vacancies = [d for d in defects if d.kind == "vacancy"]
    silicon = [d for d in defects if d.kind == "substitution"]
    assert vacancies and silicon
    for d in vacancies:
        assert np.min(np.hypot(*(atoms.xy_nm - d.position_nm).T)) > 0.1  # nothing sits on a vacant site
    si_xy = atoms.xy_nm[atoms.elements == "Si"]
    assert len(si_xy) == len(silicon)


def test_mos2_dopants_and_vacancies_change_the_columns_they_name():
    spec = make_specimen("mos2", seed=4)
    box = (0.0, 0.0, 30.0, 30.0)
    atoms, _ = spec.columns(box)
    defects = spec.defects_in(box)
    assert {d.kind for d in defects} >= {"S vacancy", "dopant"}
    for d in defects:
        nearest = int(np.argmin(np.hypot(*(atoms.xy_nm - d.position_nm).T)))
        if d.kind == "dopant":
            assert atoms.elements[nearest] == "Re"
        elif d.kind == "S vacancy":
            assert atoms.elements[nearest] == "S" and atoms.count[nearest] == 1


def test_the_drift_path_depends_only_on_time_not_on_how_it_is_queried():
    a = Drift(np.random.default_rng(5), 0.5)
    b = Drift(np.random.default_rng(5), 0.5)
    times = np.linspace(0.0, 30.0, 301)
    fine = a.offset_nm(times)
    coarse = np.vstack([b.offset_nm(t)[0] for t in (30.0, 0.0, 12.3)])
    assert np.allclose(coarse, fine[[300, 0, 123]])
    speed = np.hypot(*np.diff(fine, axis=0).T) / 0.1
    assert speed == pytest.approx(0.5)


def test_a_drift_speed_change_keeps_the_path_so_far():
    d = Drift(np.random.default_rng(6), 0.2)
    before = d.offset_nm(10.0)[0]
    d.set_speed(10.0, 5.0)
    assert np.allclose(d.offset_nm(10.0)[0], before)
    assert np.hypot(*(d.offset_nm(11.0)[0] - before)) == pytest.approx(5.0, rel=0.1)
