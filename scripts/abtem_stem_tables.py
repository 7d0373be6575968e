"""Frozen-phonon multislice (abTEM) runs behind the STEM twin's HAADF and BF tables and its validation numbers.

Runs in a separate environment with the optional extra installed (``pip install abtem==1.0.11``), never inside
the twin. The tables were made with

    run --seed 1 --configs 16 --energies-kv 80 --out t80.json
    run --seed 1 --configs 4 --energies-kv 200 --out t200.json
    run --seed 1 --configs 16 --energies-kv 200 --specimens mos2 --out t200_mos2.json
    run --seed 3 --configs 16 --energies-kv 200 --specimens srtio3 --out t200_srtio3.json
    emit t80.json t200.json t200_mos2.json t200_srtio3.json    # writes copilot/twin/tables/*.py

(tests/twin/data/abtem_tables_seed1.json holds them), the reference (tests/twin/data/abtem_reference.json) with
``run --seed 2 --srtio3-cells 80``: 16 configurations at 80 kV, at 200 kV 4 (graphene), 16 (MoS2), 8 (SrTiO3).

``run`` places the probe on each column type of graphene, monolayer MoS2 (4 nm cells), SrTiO3 [001] and Au [001]
(80 and 200 kV, 30 mrad, C3 = 1 um, focus on the entrance surface) and records the beam in rings between
``RING_EDGES_MRAD`` at every exit plane, and the Lobato parametrisation abTEM uses. ``emit`` writes the twin's
channelling table (per ring from 40 mrad, column type and depth: the column's cross-section over its atoms'
single-atom ones, the neighbours' probe-tail cross-talk removed with the twin's own probe) and its thick-crystal
bright-field table (per disc, what each column takes out of it).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import textwrap
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SEMIANGLE_MRAD = 30.0
C3_A = 1.0e4  # 1 um
HAADF_MRAD = (80.0, 250.0)
BF_MRAD = 10.0
RING_EDGES_MRAD = (0, 5, 10, 15, 20, 25, 30, 35, 40, 50, 60, 70, 80, 100, 120, 150, 200, 250)
"""Edges of the rings the scattered beam is recorded in (1 mrad bins summed): any annulus or disc with its edges
here is a sum of rings. 250 mrad stays below the antialiasing cutoff of both samplings (SAMPLING_A)."""
SAMPLING_A = {80.0: 0.04, 200.0: 0.025}
"""Real-space sampling per beam energy: antialiasing cutoffs of 348 and 334 mrad (at 200 kV 0.03 A would put the
S2 column of MoS2 5 % lower)."""
ENERGIES_KV = (80.0, 200.0)
ELEMENTS = ("C", "N", "O", "Si", "S", "Ti", "Sr", "Mo", "W", "Re", "Au")
SIGMAS_A = {"C": 0.071, "O": 0.087, "Ti": 0.067, "Sr": 0.083, "Mo": 0.055, "S": 0.065, "Au": 0.087}  # rms, 1 axis
SRTIO3_A = 3.905
AU_A = 4.078


def _crystals(max_cells: int, monolayer_nm: float) -> dict[str, dict]:
    """Each specimen: a builder of the atoms (cells deep), slice thickness, exit planes and probe positions."""
    import abtem
    from ase import Atoms
    from ase.build import graphene, mx2

    def srtio3(cells: int) -> Atoms:
        basis = [("Sr", (0, 0, 0)), ("Ti", (0.5, 0.5, 0.5)), ("O", (0.5, 0.5, 0)), ("O", (0.5, 0, 0.5))]
        basis.append(("O", (0, 0.5, 0.5)))
        cell = Atoms([s for s, _ in basis], scaled_positions=[p for _, p in basis], cell=[SRTIO3_A] * 3, pbc=True)
        return cell * (2, 2, cells)

    def gold(cells: int) -> Atoms:
        frac = [(0, 0, 0), (0.5, 0.5, 0), (0.5, 0, 0.5), (0, 0.5, 0.5)]
        return Atoms(["Au"] * 4, scaled_positions=frac, cell=[AU_A] * 3, pbc=True) * (2, 2, cells)

    def monolayer(atoms: Atoms) -> Atoms:
        """A periodic cell at least ``monolayer_nm`` wide: a narrow one lets the probe's periodic images
        interfere with it (a 1 nm cell puts the S2 column of MoS2 15 % high at 200 kV) and samples the
        bright-field disc coarsely."""
        atoms = abtem.orthogonalize_cell(atoms)
        reps = [max(1, int(np.ceil(monolayer_nm * 10.0 / atoms.cell[i, i]))) for i in (0, 1)]
        atoms = atoms * (*reps, 1)
        atoms.center(vacuum=2.0, axis=2)
        return atoms

    g = monolayer(graphene(a=2.46, vacuum=2.0))
    m = monolayer(mx2("MoS2", kind="2H", a=3.16, thickness=3.17, vacuum=2.0))

    def site(atoms: Atoms, symbol: str) -> tuple[float, float]:
        """The site of ``symbol`` nearest the cell centre."""
        xy = atoms.positions[atoms.numbers == atoms[[a.symbol == symbol for a in atoms]][0].number][:, :2]
        centre = np.diag(atoms.cell)[:2] / 2
        return tuple(xy[np.argmin(np.hypot(*(xy - centre).T))])

    c = SRTIO3_A
    return {
        "graphene": {
            "atoms": lambda: g,
            "slice_A": 1.0,
            "exit": None,
            "cells": 1,
            "cell_A": None,
            "sites": {"C": site(g, "C"), "hollow": None},
        },
        "mos2": {
            "atoms": lambda: m,
            "slice_A": 1.0,
            "exit": None,
            "cells": 1,
            "cell_A": None,
            "sites": {"Mo": site(m, "Mo"), "S2": site(m, "S")},
        },
        "srtio3": {
            "atoms": lambda: srtio3(max_cells),
            "slice_A": c / 2,
            "exit": 20,  # every 10 unit cells (3.9 nm)
            "cells": max_cells,
            "cell_A": c,
            "sites": {"Sr": (c, c), "TiO": (1.5 * c, 1.5 * c), "O": (1.5 * c, c)},
        },
        "gold": {
            "atoms": lambda: gold(130),
            "slice_A": AU_A / 2,
            "exit": 20,
            "cells": 130,
            "cell_A": AU_A,
            "sites": {"Au": (AU_A, AU_A), "between": (1.25 * AU_A, 1.25 * AU_A)},
        },
    }


def run_one(name: str, spec: dict, energy_kv: float, configs: int, seed: int, sampling_A: float) -> dict:
    """Fractions of the beam on the HAADF annulus and the BF disc with the probe on each site, per exit plane."""
    import abtem

    atoms = spec["atoms"]()
    sites = dict(spec["sites"])
    if name == "graphene":
        c = np.array(sites["C"])
        xy = atoms.positions[:, :2]
        nearest = xy[np.argsort(np.hypot(*(xy - c).T))[1]]
        sites["hollow"] = tuple(2 * c - nearest)  # a hexagon centre sits one bond from an atom, away from a neighbour
    sigmas = {s: SIGMAS_A[s] for s in set(atoms.get_chemical_symbols())}
    frozen = abtem.FrozenPhonons(atoms, num_configs=configs, sigmas=sigmas, seed=seed)
    potential = abtem.Potential(
        frozen, sampling=sampling_A, slice_thickness=spec["slice_A"], exit_planes=spec["exit"], projection="infinite"
    )
    probe = abtem.Probe(energy=energy_kv * 1e3, semiangle_cutoff=SEMIANGLE_MRAD, Cs=C3_A)
    probe.grid.match(potential)
    names = list(sites)
    scan = abtem.CustomScan(np.array([sites[k] for k in names], dtype=float))
    detector = abtem.FlexibleAnnularDetector(step_size=1.0)  # 1 mrad bins: every ring from one run
    t0 = time.time()
    polar = probe.scan(potential, scan=scan, detectors=detector).compute(progress_bar=False)
    seconds = time.time() - t0
    bins = polar.array[..., 0].reshape(-1, len(names), polar.array.shape[-2])  # (planes, sites, 1 mrad bins)
    rings = _rings(bins)
    h, b = _ring_sum(rings, *HAADF_MRAD), _ring_sum(rings, 0.0, BF_MRAD)
    n_planes = h.shape[0]
    if spec["cell_A"] is None:
        depth = [1]
    else:
        depth = [round(i * spec["exit"] * spec["slice_A"] / spec["cell_A"]) for i in range(n_planes)]  # 0: entrance
    vacuum = abtem.Probe(energy=energy_kv * 1e3, semiangle_cutoff=SEMIANGLE_MRAD, Cs=C3_A, gpts=1024, sampling=0.05)
    vacuum_bins = abtem.FlexibleAnnularDetector(step_size=1.0).detect(vacuum.build()).compute().array
    vacuum_bins = np.asarray(vacuum_bins).reshape(1, 1, -1)  # nothing beyond the aperture: pad to the last ring
    vacuum_bins = np.pad(vacuum_bins, ((0, 0), (0, 0), (0, max(0, RING_EDGES_MRAD[-1] - vacuum_bins.shape[-1]))))
    vacuum_rings = _rings(vacuum_bins)[0, 0]
    bf_vacuum = float(_ring_sum(vacuum_rings[None, None, :], 0.0, BF_MRAD)[0, 0])
    return {
        "specimen": name,
        "energy_kv": energy_kv,
        "configs": configs,
        "seed": seed,
        "sites": names,
        "site_A": {k: [float(v) for v in sites[k]] for k in names},
        "cells": depth,
        "haadf": h.tolist(),
        "bf": b.tolist(),
        "bf_vacuum": bf_vacuum,
        "rings_mrad": list(RING_EDGES_MRAD),
        "rings": np.round(rings, 9).tolist(),
        "vacuum_rings": np.round(vacuum_rings, 9).tolist(),
        "seconds": seconds,
    }


def _rings(bins: np.ndarray) -> np.ndarray:
    """Sum 1 mrad bins (last axis, bin i = [i, i + 1) mrad) into the rings between ``RING_EDGES_MRAD``."""
    edges = RING_EDGES_MRAD
    if bins.shape[-1] < edges[-1]:
        raise ValueError(f"the run reaches {bins.shape[-1]} mrad, the rings need {edges[-1]} mrad")
    return np.stack([bins[..., lo:hi].sum(axis=-1) for lo, hi in itertools.pairwise(edges)], axis=-1)


def _ring_sum(rings: np.ndarray, inner_mrad: float, outer_mrad: float) -> np.ndarray:
    """The fraction between two ring edges."""
    return rings[..., RING_EDGES_MRAD.index(int(inner_mrad)) : RING_EDGES_MRAD.index(int(outer_mrad))].sum(axis=-1)


def _lobato() -> dict[str, list[list[float]]]:
    import abtem.parametrizations as par

    data = json.loads((Path(par.__file__).parent / "data" / "lobato.json").read_text())
    return {el: data[el] for el in ELEMENTS}


def cmd_run(args: argparse.Namespace) -> None:
    import abtem

    abtem.config.set({"device": "cpu", "num_workers": 1})
    crystals = _crystals(args.srtio3_cells, args.monolayer_nm)
    out = Path(args.out)
    done = json.loads(out.read_text()) if out.exists() else {"runs": []}
    have = {(r["specimen"], r["energy_kv"]) for r in done["runs"]}
    done.update(
        abtem_version=abtem.__version__,
        semiangle_mrad=SEMIANGLE_MRAD,
        c3_A=C3_A,
        haadf_mrad=list(HAADF_MRAD),
        bf_mrad=BF_MRAD,
        rings_mrad=list(RING_EDGES_MRAD),
        sigmas_A=SIGMAS_A,
        lobato=_lobato(),
    )
    for name in args.specimens:
        for kv in args.energies_kv:
            if (name, kv) in have:
                continue
            sampling = args.sampling_A or SAMPLING_A[kv]
            r = run_one(name, crystals[name], kv, args.configs, args.seed, sampling)
            print(f"{name} {kv:g} kV: {r['seconds']:.0f} s", file=sys.stderr, flush=True)
            done["runs"].append(r)
            out.write_text(json.dumps(done, indent=1))


def _write_lobato(lobato: dict[str, list[list[float]]]) -> None:
    lines = [
        '"""Lobato & Van Dyck (2014) electron scattering factor parameters (a_i, b_i) as shipped by abTEM.',
        "",
        "Generated by scripts/abtem_stem_tables.py; do not edit.",
        '"""',
        "",
        "LOBATO: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {",
    ]
    for el, (a, b) in lobato.items():
        lines += [
            f'    "{el}": (',
            f"        {tuple(round(x, 10) for x in a)},",
            f"        {tuple(round(x, 10) for x in b)},",
            "    ),",
        ]
    lines.append("}")
    (REPO / "copilot/twin/tables/lobato.py").write_text("\n".join(lines) + "\n")


def _columns(specimen: str) -> tuple[list[tuple[str, tuple[float, float]]], dict[str, dict[str, int]]]:
    """Column sites (type, xy in A) of one unit cell, and the atoms per column type per unit depth."""
    if specimen == "srtio3":
        c = SRTIO3_A
        sites = [("Sr", (0, 0)), ("TiO", (c / 2, c / 2)), ("O", (c / 2, 0)), ("O", (0, c / 2))]
        return sites, {"Sr": {"Sr": 1}, "TiO": {"Ti": 1, "O": 1}, "O": {"O": 1}}
    if specimen == "gold":
        return [("Au", (0, 0))], {"Au": {"Au": 1}}
    a = 2.46 if specimen == "graphene" else 3.16
    second = (a / 2, a * np.sqrt(3) / 6)
    if specimen == "graphene":
        return [("C", (0, 0)), ("C", second)], {"C": {"C": 1}}
    return [("Mo", (0, 0)), ("S2", second)], {"Mo": {"Mo": 1}, "S2": {"S": 2}}


def _lattice(specimen: str) -> tuple[np.ndarray, np.ndarray]:
    if specimen == "srtio3":
        return np.array([SRTIO3_A, 0]), np.array([0, SRTIO3_A])
    if specimen == "gold":
        return np.array([AU_A / 2, 0]), np.array([0, AU_A / 2])
    a = 2.46 if specimen == "graphene" else 3.16
    return np.array([a, 0]), np.array([a / 2, a * np.sqrt(3) / 2])


def _radial_kernel(energy_kv: float):
    """The twin's coherent HAADF kernel (probe intensity with the thermal blur) as a radial function (1/A^2)."""
    sys.path.insert(0, str(REPO))
    from copilot.twin.detector import ATOM_BLUR_NM
    from copilot.twin.probe import Aberrations, probe_intensity

    dp_nm, n = 0.002, 1024
    ab = Aberrations(0.0, 0.0, 0.0, 0.0, 0.0, C3_A / 10.0)
    p = probe_intensity(ab, energy_kv, SEMIANGLE_MRAD * 1e-3, dp_nm, n)
    k = np.fft.fftfreq(n, dp_nm)
    p = np.fft.ifft2(
        np.fft.fft2(p) * np.exp(-2 * np.pi**2 * ATOM_BLUR_NM**2 * (k[:, None] ** 2 + k[None, :] ** 2))
    ).real
    profile = np.fft.fftshift(p)[n // 2, n // 2 :] / (dp_nm * 10.0) ** 2
    r_A = np.arange(len(profile)) * dp_nm * 10.0
    return lambda r: np.interp(r, r_A, profile, right=0.0)


HAADF_RINGS_FROM_MRAD = 40
"""The channelling table covers the rings from here out (the direct beam of a 30 mrad probe ends at 30 mrad)."""


def _cross_talk(name: str, kv: float) -> tuple[list[str], dict[str, dict[str, int]], np.ndarray]:
    """Column types, their atoms per unit depth, and the matrix of the twin's probe intensity (1/A^2) at each
    column type from every column of each type of the infinite lattice."""
    kernel = _radial_kernel(kv)
    sites, atoms = _columns(name)
    types = list(atoms)
    a1, a2 = _lattice(name)
    ij = np.array([(i, j) for i in range(-12, 13) for j in range(-12, 13)], dtype=float)
    cells = ij @ np.array([a1, a2])
    matrix = np.zeros((len(types), len(types)))
    for i, t in enumerate(types):
        here = np.array(dict(sites)[t])
        for kind, xy in sites:
            d = np.hypot(*(cells + np.array(xy) - here).T)
            matrix[i, types.index(kind)] += kernel(d).sum()
    return types, atoms, matrix


def _channelling(f: np.ndarray, depth: int, types: list[str], atoms: dict, matrix: np.ndarray, sigma: dict) -> dict:
    """Channelling factor per element from the fractions ``f`` at each column type (one ring, one depth)."""
    s = np.linalg.solve(matrix, f)  # A^2 per column type
    g: dict[str, float] = {}
    for t, s_t in zip(types, s, strict=True):
        if t == "TiO":
            continue
        ((el, per),) = atoms[t].items()
        g[el] = s_t / (depth * per * sigma[t][el])
    if "TiO" in types:
        s_tio = s[types.index("TiO")]
        g["Ti"] = (s_tio - depth * sigma["TiO"]["O"] * g["O"]) / (depth * sigma["TiO"]["Ti"])
    return g


def _table_body(tables: dict[str, dict], key: str) -> list[str]:
    """The lines of a generated table: per crystal its cells, then per element and energy one row per depth."""
    lines = []
    for name, entry in tables.items():
        lines.append(f'    "{name}": {{')
        lines.append(f'        "cells": ({", ".join(str(c) for c in entry["cells"])},),')
        for el, by_kv in entry[key].items():
            lines.append(f'        "{el}": {{')
            for k, by_depth in by_kv.items():
                lines.append(f"            {int(k)}: (")
                lines += [f"                ({', '.join(f'{x:g}' for x in row)},)," for row in by_depth]
                lines.append("            ),")
            lines.append("        },")
        lines.append("    },")
    return [*lines, "}", "# fmt: on"]


def _merged(runs: list[dict]) -> dict:
    """One run file from several: a later file's run of a specimen and energy replaces an earlier one's."""
    data = dict(runs[0])
    by_case: dict[tuple[str, float], dict] = {}
    for d in runs:
        for r in d["runs"]:
            by_case[(r["specimen"], r["energy_kv"])] = r
    data["runs"] = list(by_case.values())
    return data


def cmd_emit(args: argparse.Namespace) -> None:
    """Write the Lobato and channelling table modules from a run: one channelling factor per ring of the
    annulus from ``HAADF_RINGS_FROM_MRAD`` out, so any annulus with its edges in that range is a sum of rings."""
    data = _merged([json.loads(Path(f).read_text()) for f in args.run_json])
    _write_lobato(data["lobato"])
    sys.path.insert(0, str(REPO))
    import importlib

    import copilot.twin.tables.lobato as lob

    importlib.reload(lob)
    from copilot.twin import scattering

    importlib.reload(scattering)
    all_edges = list(data["rings_mrad"])
    first = all_edges.index(HAADF_RINGS_FROM_MRAD)
    edges = all_edges[first:]
    tables: dict[str, dict] = {}
    for r in data["runs"]:
        name, kv = r["specimen"], r["energy_kv"]
        types, atoms, matrix = _cross_talk(name, kv)
        entry = tables.setdefault(name, {"cells": [c for c in r["cells"] if c > 0], "g": {}})
        per_ring: dict[str, list[list[float]]] = {}
        for plane, depth in enumerate(r["cells"]):
            if depth == 0:
                continue
            rows: dict[str, list[float]] = {}
            for k, (lo, hi) in enumerate(itertools.pairwise(edges)):
                sigma = {
                    t: {el: scattering.annular_cross_section_nm2(el, kv, lo, hi) * 100.0 for el in atoms[t]}
                    for t in types
                }
                f = np.array([r["rings"][plane][r["sites"].index(t)][first + k] for t in types])
                for el, v in _channelling(f, depth, types, atoms, matrix, sigma).items():
                    rows.setdefault(el, []).append(round(float(v), 4))
            for el, row in rows.items():
                per_ring.setdefault(el, []).append(row)
        for el, by_depth in per_ring.items():
            entry["g"].setdefault(el, {})[str(int(kv))] = by_depth
    configs = "; ".join(
        f"{r['specimen']} {r['configs']} at {r['energy_kv']:g} kV"
        for r in sorted(data["runs"], key=lambda r: (r["specimen"], r["energy_kv"]))
    )
    seeds = ", ".join(sorted({str(r["seed"]) for r in data["runs"]}))
    lines = [
        '"""Channelling factors of atomic columns on rings of the annular detector, from frozen-phonon multislice.',
        "",
        "For each crystal, element, beam energy and column depth (``cells`` unit cells): per ring between the edges",
        "``RINGS_MRAD``, the column's cross-section for that ring divided by the sum of its atoms' single-atom",
        "cross-sections for it (probe-tail cross-talk of neighbouring columns removed with the twin's own probe).",
        f"Generated by scripts/abtem_stem_tables.py from abTEM {data['abtem_version']} (seeds {seeds},"
        f" {data['semiangle_mrad']:g} mrad convergence, C3 = 1 um); do not edit.",
        *textwrap.wrap(f"Frozen-phonon configurations: {configs}.", 110),
        '"""',
        "",
        "# fmt: off",
        f"RINGS_MRAD: tuple[float, ...] = ({', '.join(f'{e:g}.0' for e in edges)})",
        f"CONVERGENCE_MRAD = {data['semiangle_mrad']:g}",
        "",
        "CHANNELLING: dict[str, dict[str, object]] = {",
    ]
    lines += _table_body(tables, "g")
    Path(args.out).write_text("\n".join(lines) + "\n")
    _emit_bright_field(data, Path(args.out).with_name("bright_field.py"))


BF_DISCS_MRAD = (5, 10, 15, 20, 25, 30, 35, 40)
"""Bright-field disc radii of the thick-crystal table."""
THICK_BF_CRYSTALS = ("srtio3",)
"""Crystals whose bright field comes from the table. Not gold: between its columns the disc darkens as much as
on them (0.0245 against 0.0076 of the beam at 30 cells, 80 kV), which cross-sections on the columns cannot carry."""


def _emit_bright_field(data: dict, out: Path) -> None:
    """Write the thick-crystal bright-field table (signed: negative where dynamical diffraction sends more of the
    beam into the disc than the vacuum probe puts there)."""
    all_edges = list(data["rings_mrad"])
    tables: dict[str, dict] = {}
    for r in data["runs"]:
        name, kv = r["specimen"], r["energy_kv"]
        if name not in THICK_BF_CRYSTALS:
            continue
        types, atoms, matrix = _cross_talk(name, kv)
        entry = tables.setdefault(name, {"cells": [c for c in r["cells"] if c > 0], "s": {}})
        by_el: dict[str, list[list[float]]] = {}
        for plane, depth in enumerate(r["cells"]):
            if depth == 0:
                continue
            rows: dict[str, list[float]] = {}
            for disc in BF_DISCS_MRAD:
                k = all_edges.index(disc)
                vacuum = sum(r["vacuum_rings"][:k])  # the probe alone, finely sampled (the twin's vacuum)
                f = np.array([sum(r["rings"][plane][r["sites"].index(t)][:k]) for t in types])
                s = dict(zip(types, np.linalg.solve(matrix, vacuum - f) / 100.0, strict=True))  # nm^2 per column
                per_el = {next(iter(atoms[t])): v for t, v in s.items() if t != "TiO"}
                if "TiO" in s:
                    per_el["Ti"] = s["TiO"] - s["O"]
                for el, v in per_el.items():
                    rows.setdefault(el, []).append(float(f"{v:.4g}"))
            for el, row in rows.items():
                by_el.setdefault(el, []).append(row)
        for el, by_depth in by_el.items():
            entry["s"].setdefault(el, {})[str(int(kv))] = by_depth
    lines = [
        '"""Bright field of thick crystals from frozen-phonon multislice: per crystal, element, beam energy, depth',
        "(``cells``) and disc radius (``DISCS_MRAD``) the signed cross-section (nm^2) a column takes out of the disc",
        "(the fraction in it is the vacuum's minus the sum of these times the probe intensity). At the runs' focus,",
        f"C3 = 1 um, {data['semiangle_mrad']:g} mrad; by scripts/abtem_stem_tables.py, abTEM {data['abtem_version']}.",
        '"""',
        "",
        "# fmt: off",
        f"DISCS_MRAD: tuple[float, ...] = ({', '.join(f'{d:g}.0' for d in BF_DISCS_MRAD)})",
        "",
        "BRIGHT_FIELD: dict[str, dict[str, object]] = {",
    ]
    lines += _table_body(tables, "s")
    out.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="run abTEM and store the column fractions as JSON")
    run.add_argument("--seed", type=int, default=1)
    run.add_argument("--configs", type=int, default=6)
    run.add_argument("--out", required=True)
    run.add_argument("--specimens", nargs="+", default=["graphene", "mos2", "srtio3", "gold"])
    run.add_argument("--srtio3-cells", type=int, default=160, help="depth of the SrTiO3 crystal in unit cells")
    run.add_argument("--energies-kv", type=float, nargs="+", default=list(ENERGIES_KV))
    run.add_argument("--monolayer-nm", type=float, default=3.75, help="least width of the monolayer cells")
    run.add_argument("--sampling-A", type=float, default=None, help="real-space sampling instead of SAMPLING_A")
    emit = sub.add_parser("emit", help="write copilot/twin/tables/channelling.py from a run")
    emit.add_argument("run_json", nargs="+", help="run files; a later file's run of a case replaces an earlier one")
    emit.add_argument("--out", default=str(REPO / "copilot/twin/tables/channelling.py"))
    args = parser.parse_args()
    if args.cmd == "run":
        cmd_run(args)
    else:
        cmd_emit(args)


if __name__ == "__main__":
    main()
