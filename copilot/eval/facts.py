"""Fact checks: numbers, element lists and positions in the final answer against ground truth.

A number passes when one number in the answer (followed by ``unit``, near a ``context`` word, when given) lies
within tolerance of the
ground truth and, with ``traceable`` (the default), also appears in some tool output to the precision it is
written with: a model must not invent or guess a figure it never measured.
"""

from __future__ import annotations

import math
import re

from copilot.eval.check_base import Check, CheckResult
from copilot.eval.episode import Episode
from copilot.eval.frames import position_tolerance_nm

_NUMBER = r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?"
_NUMBER_RE = re.compile(_NUMBER)
_UNCERTAINTY = rf"(?:±|\+/-|\+-)\s*{_NUMBER}\s*"
_PAIR_RE = re.compile(rf"\(\s*({_NUMBER})\s*(?:nm)?\s*[,;]\s*({_NUMBER})\s*(?:nm)?\s*\)")
ELEMENT_NAMES = {
    "H": "hydrogen",
    "C": "carbon",
    "N": "nitrogen",
    "O": "oxygen",
    "Si": "silicon",
    "S": "sulfur|sulphur",
    "Ti": "titanium",
    "Mn": "manganese",
    "Fe": "iron",
    "Ni": "nickel",
    "Sr": "strontium",
    "Mo": "molybdenum",
    "W": "tungsten",
    "Au": "gold",
    "Se": "selenium",
    "B": "boron",
}


CONTEXT_CHARS = 40


def numbers_in(text: str, unit: str | None = None, context: str | None = None) -> list[tuple[float, str]]:
    """Numbers in ``text`` as (value, literal); with ``unit`` (a regex) only those followed by it, with
    ``context`` (a regex) only those with a match of it within ``CONTEXT_CHARS`` characters on either side."""
    if unit:  # "0.39 nm", "0.39 ± 0.01 nm" and "(0.39 +/- 0.01) nm" all state 0.39 nm
        pattern = re.compile(rf"\(?\s*({_NUMBER})\s*(?:{_UNCERTAINTY})?\)?\s*(?:{unit})(?![A-Za-z])", re.I)
        found = [(m.group(1), m.start(1), m.end(1)) for m in pattern.finditer(text)]
    else:
        found = [(m.group(0), m.start(), m.end()) for m in _NUMBER_RE.finditer(text)]
    if context:
        near = re.compile(context, re.I)
        found = [
            (lit, a, b)
            for lit, a, b in found
            if near.search(text[max(0, a - CONTEXT_CHARS) : a]) or near.search(text[b : b + CONTEXT_CHARS])
        ]
    return [(float(lit), lit) for lit, _, _ in found]


def resolution(literal: str) -> float:
    """Half a unit in the last written digit: ``"0.25" -> 0.005``, ``"12" -> 0.5``, ``"1.2e3" -> 50``."""
    mantissa, _, exponent = literal.lower().partition("e")
    decimals = len(mantissa.split(".", 1)[1]) if "." in mantissa else 0
    return 0.5 * 10.0 ** (-decimals) * 10.0 ** int(exponent or 0)


def traced(value: float, literal: str, outputs: list[float]) -> bool:
    """``value`` (written as ``literal``) is a rounding of some number found in the tool outputs."""
    half = resolution(literal) * 1.0001
    return any(abs(value - y) <= half + 1e-9 * abs(y) for y in outputs)


class FactCheck(Check):
    """A fact in the answer matches ground truth ``truth`` (number, elements or positions)."""

    kind = "fact"

    def evaluate(self, ep: Episode) -> CheckResult:
        name = self.spec["truth"]
        if name not in ep.truth:
            return self.result(False, f"no ground truth {name!r} was computed for this episode")
        kind = self.spec.get("kind", "number")
        if kind == "elements":
            return self._elements(ep, list(ep.truth[name]))
        if kind == "positions":
            return self._positions(ep, [tuple(p) for p in ep.truth[name]])
        return self._number(ep, float(ep.truth[name]))

    def _tolerance(self, truth: float) -> float:
        return max(float(self.spec.get("tol", 0.0)), float(self.spec.get("tol_rel", 0.0)) * abs(truth))

    def _number(self, ep: Episode, truth: float) -> CheckResult:
        name, tol = self.spec["truth"], self._tolerance(truth)
        candidates = numbers_in(ep.answer, self.spec.get("unit"), self.spec.get("context"))
        if not candidates:
            unit = f" followed by {self.spec['unit']!r}" if self.spec.get("unit") else ""
            near = f" near {self.spec['context']!r}" if self.spec.get("context") else ""
            return self.result(False, f"the answer states no number{unit}{near} for {name} (truth {truth:.4g})")
        value, literal = min(candidates, key=lambda c: abs(c[0] - truth))
        err = abs(value - truth)
        if err > tol:
            score = 0.5 if err <= 3 * tol else 0.0
            return self.result(False, f"{name}: answer {literal} vs truth {truth:.4g} (tolerance ±{tol:.3g})", score)
        if self.spec.get("traceable", True):
            outputs = [v for v, _ in numbers_in(ep.tool_outputs_text)]
            if not traced(value, literal, outputs):
                return self.result(
                    False, f"{name}: {literal} is right but appears in no tool output (untraceable)", 0.5
                )
        return self.result(True, f"{name}: answer {literal} vs truth {truth:.4g} (tolerance ±{tol:.3g})")

    def _elements(self, ep: Episode, truth: list[str]) -> CheckResult:
        missing = [
            el
            for el in truth
            if not re.search(rf"\b{el}\b", ep.answer)
            and not re.search(rf"\b({ELEMENT_NAMES.get(el, el)})\b", ep.answer, re.I)
        ]
        score = 1 - len(missing) / max(len(truth), 1)
        if missing:
            return self.result(False, f"elements {truth}: the answer misses {missing}", score)
        return self.result(True, f"elements {truth} all named")

    def _positions(self, ep: Episode, truth: list[tuple[float, ...]]) -> CheckResult:
        tol = position_tolerance_nm(float(self.spec.get("tol", 0.5)), ep.frame, ep.drift_nm_per_s)
        claimed = [(float(a), float(b)) for a, b in _PAIR_RE.findall(ep.answer)]
        unmatched = list(claimed)
        hits = 0
        for tx, ty in truth:
            best = min(unmatched, key=lambda p: math.hypot(p[0] - tx, p[1] - ty), default=None)
            if best is not None and math.hypot(best[0] - tx, best[1] - ty) <= tol:
                hits += 1
                unmatched.remove(best)
        recall = hits / len(truth) if truth else float(not claimed)
        need = float(self.spec.get("min_recall", 0.8))
        where = f"in the frame of {ep.frame.acq_id}" if ep.frame else "in the final field of view"
        detail = (
            f"{hits} of {len(truth)} true positions {where} found within {tol:.3g} nm "
            f"({len(claimed)} claimed, {len(unmatched)} spurious)"
        )
        precision_ok = len(unmatched) <= max(1, len(claimed) // 2)
        return self.result(recall >= need and precision_ok, detail, recall)
