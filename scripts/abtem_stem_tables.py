"""Frozen-phonon multislice (abTEM) runs behind the STEM twin's HAADF and BF tables and its validation numbers.

Runs in a separate environment with the optional extra installed (``pip install abtem==1.0.11``), never inside
the twin. Two steps:

    python scripts/abtem_stem_tables.py run --seed 1 --configs 6 --out /tmp/tables.json
    python scripts/abtem_stem_tables.py emit /tmp/tables.json    # writes copilot/twin/tables/channelling.py
    python scripts/abtem_stem_tables.py run --seed 2 --configs 6 --out tests/twin/data/abtem_reference.json

``run`` places the probe on each column type of graphene, monolayer MoS2, SrTiO3 [001] and Au [001] (80 and 200
kV, 30 mrad, C3 = 1 um, focused on the entrance surface), records the fraction of the beam on the twin's default
HAADF annulus (80-250 mrad) and bright-field disc (0-10 mrad) at every exit plane (a thickness series), and
stores the Lobato parametrisation abTEM uses. ``emit`` turns a run into the twin's channelling table: for each
column type and thickness, the column's annular cross-section relative to the sum of its atoms' single-atom
cross-sections, after removing the probe-tail cross-talk of the neighbouring columns with the twin's own probe.
A second run with another seed gives the reference numbers the twin is tested against.
"""

from __future__ import annotations

import argparse
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
ENERGIES_KV = (80.0, 200.0)
ELEMENTS = ("C", "N", "O", "Si", "S", "Ti", "Sr", "Mo", "W", "Re", "Au")
# Root-mean-square thermal displacement along one axis (A), room temperature.
SIGMAS_A = {"C": 0.071, "O": 0.087, "Ti": 0.067, "Sr": 0.083, "Mo": 0.055, "S": 0.065, "Au": 0.087}
SRTIO3_A = 3.905
AU_A = 4.078


def _crystals(max_cells: int) -> dict[str, dict]:
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

    def monolayer(atoms: Atoms, reps: tuple[int, int]) -> Atoms:
        atoms = abtem.orthogonalize_cell(atoms) * (*reps, 1)
        atoms.center(vacuum=2.0, axis=2)
        return atoms

    # Wide cells (about 4 nm): fine reciprocal sampling for the 10 mrad bright-field disc.
    g = monolayer(graphene(a=2.46, vacuum=2.0), (16, 9))
    m = monolayer(mx2("MoS2", kind="2H", a=3.16, thickness=3.17, vacuum=2.0), (12, 7))

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
    detectors = [abtem.AnnularDetector(inner=HAADF_MRAD[0], outer=HAADF_MRAD[1]), abtem.AnnularDetector(0, BF_MRAD)]
    t0 = time.time()
    haadf, bf = probe.scan(potential, scan=scan, detectors=detectors).compute(progress_bar=False)
    seconds = time.time() - t0
    h, b = np.atleast_2d(haadf.array), np.atleast_2d(bf.array)
    n_planes = h.shape[0]
    if spec["cell_A"] is None:
        depth = [1]
    else:
        depth = [round(i * spec["exit"] * spec["slice_A"] / spec["cell_A"]) for i in range(n_planes)]  # 0: entrance
    vacuum = abtem.Probe(energy=energy_kv * 1e3, semiangle_cutoff=SEMIANGLE_MRAD, Cs=C3_A, gpts=1024, sampling=0.05)
    bf_vacuum = float(abtem.AnnularDetector(0, BF_MRAD).detect(vacuum.build()).compute().array)
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
        "seconds": seconds,
    }


def _lobato() -> dict[str, list[list[float]]]:
    import abtem.parametrizations as par

    data = json.loads((Path(par.__file__).parent / "data" / "lobato.json").read_text())
    return {el: data[el] for el in ELEMENTS}


def cmd_run(args: argparse.Namespace) -> None:
    import abtem

    abtem.config.set({"device": "cpu", "num_workers": 1})
    crystals = _crystals(args.srtio3_cells)
    out = Path(args.out)
    done = json.loads(out.read_text()) if out.exists() else {"runs": []}
    have = {(r["specimen"], r["energy_kv"]) for r in done["runs"]}
    done.update(
        abtem_version=abtem.__version__,
        semiangle_mrad=SEMIANGLE_MRAD,
        c3_A=C3_A,
        haadf_mrad=list(HAADF_MRAD),
        bf_mrad=BF_MRAD,
        sigmas_A=SIGMAS_A,
        lobato=_lobato(),
    )
    for name in args.specimens:
        for kv in ENERGIES_KV:
            if (name, kv) in have:
                continue
            sampling = 0.04 if kv < 150 else 0.025
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


def cmd_emit(args: argparse.Namespace) -> None:
    """Write the Lobato and channelling table modules from a run."""
    data = json.loads(Path(args.run_json).read_text())
    _write_lobato(data["lobato"])
    sys.path.insert(0, str(REPO))
    import importlib

    import copilot.twin.tables.lobato as lob

    importlib.reload(lob)
    from copilot.twin import scattering

    importlib.reload(scattering)
    tables: dict[str, dict] = {}
    for r in data["runs"]:
        name, kv = r["specimen"], r["energy_kv"]
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
        sigma = {
            t: {el: scattering.annular_cross_section_nm2(el, kv, *HAADF_MRAD) * 100.0 for el in atoms[t]} for t in types
        }
        entry = tables.setdefault(name, {"cells": [c for c in r["cells"] if c > 0], "g": {}})
        for plane, depth in enumerate(r["cells"]):
            if depth == 0:
                continue
            f = np.array([r["haadf"][plane][r["sites"].index(t)] for t in types])
            s = np.linalg.solve(matrix, f)  # A^2 per column type
            g: dict[str, float] = {}
            for t, s_t in zip(types, s, strict=True):
                els = atoms[t]
                if t == "TiO":
                    continue
                ((el, per),) = els.items()
                g[el] = s_t / (depth * per * sigma[t][el])
            if "TiO" in types:
                s_tio = s[types.index("TiO")]
                g["Ti"] = (s_tio - depth * sigma["TiO"]["O"] * g["O"]) / (depth * sigma["TiO"]["Ti"])
            for el, v in g.items():
                entry["g"].setdefault(el, {}).setdefault(str(int(kv)), []).append(round(float(v), 5))
    lines = [
        '"""Channelling factors of atomic columns on the HAADF annulus, from frozen-phonon multislice (abTEM).',
        "",
        "For each crystal, element and beam energy: a column's annular cross-section divided by the sum of its",
        "atoms' single-atom cross-sections, at column depths of ``cells`` unit cells (probe-tail cross-talk of",
        "neighbouring columns removed with the twin's own probe). Generated by scripts/abtem_stem_tables.py",
        f"from abTEM {data['abtem_version']} ({data['runs'][0]['configs']} frozen-phonon configurations, seed "
        f"{data['runs'][0]['seed']}, {data['semiangle_mrad']:g} mrad, {data['haadf_mrad'][0]:g}-"
        f"{data['haadf_mrad'][1]:g} mrad); do not edit.",
        '"""',
        "",
        "# fmt: off",
        "CHANNELLING: dict[str, dict[str, object]] = {",
    ]
    for name, entry in tables.items():
        lines.append(f'    "{name}": {{')
        lines.append(f'        "cells": ({", ".join(str(c) for c in entry["cells"])},),')
        for el, by_kv in entry["g"].items():
            lines.append(f'        "{el}": {{')
            for k, v in by_kv.items():
                body = textwrap.wrap(", ".join(f"{x:g}" for x in v) + ",", 100)
                lines += [f"            {int(k)}: (", *[f"                {line}" for line in body], "            ),"]
            lines.append("        },")
        lines.append("    },")
    lines += ["}", "# fmt: on"]
    (REPO / "copilot/twin/tables/channelling.py").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="run abTEM and store the column fractions as JSON")
    run.add_argument("--seed", type=int, default=1)
    run.add_argument("--configs", type=int, default=6)
    run.add_argument("--out", required=True)
    run.add_argument("--specimens", nargs="+", default=["graphene", "mos2", "srtio3", "gold"])
    run.add_argument("--srtio3-cells", type=int, default=160, help="depth of the SrTiO3 crystal in unit cells")
    emit = sub.add_parser("emit", help="write copilot/twin/tables/channelling.py from a run")
    emit.add_argument("run_json")
    args = parser.parse_args()
    if args.cmd == "run":
        cmd_run(args)
    else:
        cmd_emit(args)


if __name__ == "__main__":
    main()
