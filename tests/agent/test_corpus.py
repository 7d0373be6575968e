"""The planner on a corpus of requests in microscopists' words (tests/agent/corpus/*.yaml): the share whose plan
(the tool calls in order, with the arguments the corpus names) is right, per category and overall.

``python -m tests.agent.test_corpus`` prints the table, the requests acted on in a misread form (a call that changes
the instrument, exposes the specimen or writes a file, which the plan does not ask for) and, with ``-v``, the
requests it gets wrong.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.agent.planner_harness import Run, Tool, drive

CORPUS = Path(__file__).parent / "corpus"
TARGET = 0.85
AS_WRITTEN = {
    "fresh": (49, 57),
    "fresh2": (55, 72),
    "fresh3": (55, 81),
    "fresh4": (47, 84),
    "fresh5": (76, 120),
    "fresh6": (72, 116),
    "fresh7": (62, 116),
    "fresh8": (85, 119),
    "fresh9": (87, 119),
    "fresh10": (80, 120),
    "fresh11": (70, 120),
    "fresh12": (81, 120),
    "fresh13": (86, 120),
    "fresh14": (82, 120),
    "fresh15": (87, 120),
    "fresh16": (86, 120),
    "fresh17": (81, 120),
    "fresh18": (83, 120),
    "fresh19": (93, 120),
    "fresh20": (68, 120),
    "fresh21": (98, 120),
    "fresh22": (96, 120),
    "fresh23": (85, 120),
    "fresh24": (71, 120),
    "fresh25": (97, 120),
    "fresh26": (74, 120),
    "fresh27": (91, 120),
    "fresh28": (96, 120),
    "fresh29": (103, 120),
    "fresh30": (96, 120),
    "fresh31": (83, 120),
    "fresh32": (81, 120),
    "fresh33": (104, 120),
    "fresh34": (103, 120),
}
"""Each held-out batch (corpus/fresh*.yaml): (right, total) as written, before the planner was first run on it. A
floor: later rules may raise a batch's rate, never lower it. fresh2 (76 %), fresh3 (68 %), fresh4 (56 %), fresh5 (63 %),
fresh6 (62 %, one request crashing the reader), fresh7 (53 %, written in words the corpus did not use yet), fresh8
(71 %, a realistic day of requests), fresh9 (73 %, another), fresh10 (67 %, the first measured with the check on
words the reading did not use), fresh11 (58 %, a visiting user's day), fresh12 (68 %, a night shift alone),
fresh13 (72 %, a teaching session), fresh14 (68 %, a failure-analysis lab), fresh15 (72 %, a user facility's night
shift), fresh16 (72 %, a battery group's chat), fresh17 (68 %, requests dictated by voice and transcribed), fresh18
(69 %, a newcomer's plain words), fresh19 (78 %, a core facility's shorthand), fresh20 (57 %, a published
protocol quoted), fresh21 (82 %, a conference demo narrated), fresh22 (80 %, requests pasted from emails and chat
messages), fresh23 (71 %, scientists of neighbouring fields in their own words), fresh24 (59 %, an acceptance
checklist after a service visit), fresh25 (81 %, a low-dose session on beam-sensitive materials), fresh26 (62 %,
English shaped by the writer's first language), fresh27 (76 %, messages typed in a hurry), fresh28 (80 %, an
expert's jargon), fresh30 (80 %, a week in an industrial R&D lab), fresh31 (69 %, indirect requests and remarks
that ask for nothing) and fresh32 (68 %, numbers and units in every form) were under the 85 % target as written;
fresh29 (86 %, an ordinary day of many users) was the first batch above it, fresh33 (87 %, an ordinary week at a
university microscopy centre) the second and fresh34 (86 %, remote sessions through the chat window) the third."""
AFM_STATUS: dict[str, Any] = {
    "instrument": "AFM",
    "specimen": "afm_steps",
    "seed": 0,
    "settings": {
        "engaged": False,
        "feedback": {"setpoint_nm": 14.0, "p_gain": 0.05, "i_gain_per_ms": 0.1},
        "scan": {"size_nm": 1000.0, "pixels": 256, "rate_hz": 1.0},
    },
}


@dataclass
class Case:
    category: str
    text: str
    plan: list[Any]
    forbid: list[str]
    answer: list[str]
    status: str | None


def load_corpus() -> list[Case]:
    cases = []
    for path in sorted(CORPUS.glob("*.yaml")):
        for category, entries in yaml.safe_load(path.read_text()).items():
            for entry in entries:
                cases.append(
                    Case(
                        category,
                        entry["text"],
                        entry["plan"],
                        entry.get("forbid", []),
                        entry.get("answer", []),
                        entry.get("status"),
                    )
                )
    return cases


@cache
def driven(text: str, status: str | None) -> Run:
    """The planner's run on a request, against the AFM's status when the case says so; run once per request, as the
    corpus tests read the same runs (the scripted tools make a run depend on the text and the status only)."""
    tools: dict[str, Tool] = {"get_status": lambda args: AFM_STATUS} if status == "afm" else {}
    return drive(text, tools)


def matches(case: Case) -> tuple[bool, str]:
    """Whether the planner's calls are the case's plan (and the answer holds its words); what it did instead."""
    run = driven(case.text, case.status)
    expected = [next(iter(step)) if isinstance(step, dict) else step for step in case.plan]
    ok = run.names == expected and not set(case.forbid) & set(run.names)
    for step, (_, args) in zip(case.plan, run.calls, strict=False):
        if ok and isinstance(step, dict):
            wanted = next(iter(step.values())) or {}
            ok = all(_same(args.get(key), value) for key, value in wanted.items())
    ok = ok and all(word in run.answer for word in case.answer)
    return ok, f"{run.calls} | {run.answer[:160]!r}"


ACTIONS = {
    "set_beam", "set_optics", "set_scan", "set_detectors", "move_stage", "load_specimen", "set_feedback",
    "set_afm_scan", "approach", "withdraw", "change_tip", "autofocus", "acquire_image", "acquire_spectrum",
    "acquire_spectrum_image", "acquire_afm_image", "acquire_force_curve", "export_acquisition",
}  # fmt: skip
"""Tools that change the instrument, expose the specimen or write a file: the calls a misreading can do harm with."""


def misread_actions(case: Case) -> list[tuple[str, dict[str, Any]]]:
    """The calls of ``ACTIONS`` the planner made that the case's plan does not ask for, in its order: a tool it does
    not name, one out of the plan's order, or one without an argument the plan names or with another value (a
    request acted on in a misread form). Running less than the plan, or reading more, is a miss but no
    misreading."""
    wanted = [(next(iter(s)), next(iter(s.values())) or {}) if isinstance(s, dict) else (s, {}) for s in case.plan]
    wrong, at = [], 0
    for name, args in driven(case.text, case.status).calls:
        if name not in ACTIONS:
            continue
        place = next((i for i in range(at, len(wanted)) if _fits(name, args, *wanted[i])), None)
        if place is None:
            wrong.append((name, args))
        else:
            at = place + 1
    return wrong


def _fits(name: str, args: dict[str, Any], tool: str, given: dict[str, Any]) -> bool:
    """A call is the plan's step: the same tool with every argument the step names, at the step's value (a setting
    left at its default, or another setting changed in its place, is a misreading)."""
    return name == tool and all(key in args and _same(args[key], value) for key, value in given.items())


def _same(got: Any, wanted: Any) -> bool:
    if isinstance(wanted, int | float) and not isinstance(wanted, bool) and isinstance(got, int | float):
        return abs(float(got) - float(wanted)) <= 1e-6 * max(1.0, abs(float(wanted)))
    return bool(got == wanted)


def pass_rates(cases: list[Case]) -> tuple[dict[str, tuple[int, int]], list[tuple[Case, str]]]:
    """(passed, total) per category, and the cases that failed with what the planner did."""
    rates: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    failed = []
    for case in cases:
        ok, did = matches(case)
        rates[case.category][0] += ok
        rates[case.category][1] += 1
        if not ok:
            failed.append((case, did))
    return {name: (passed, total) for name, (passed, total) in rates.items()}, failed


def test_the_corpus_has_at_least_three_hundred_requests_in_every_family() -> None:
    cases = load_corpus()
    assert len(cases) >= 300
    assert {case.category for case in cases} >= {"specimen", "negation", "questions", "afm", "shopfloor"}


@pytest.mark.slow
def test_the_planner_gets_the_plan_right_for_at_least_85_percent_of_the_corpus() -> None:
    rates, failed = pass_rates(load_corpus())
    passed = sum(p for p, _ in rates.values())
    total = sum(t for _, t in rates.values())
    assert passed / total >= TARGET, [case.text for case, _ in failed]


@pytest.mark.parametrize("batch", sorted(AS_WRITTEN))
def test_a_held_out_batch_stays_at_or_above_its_rate_as_written(batch: str) -> None:
    floor, size = AS_WRITTEN[batch]
    rates, failed = pass_rates([case for case in load_corpus() if case.category == batch])
    passed, total = rates[batch]
    assert total == size
    assert passed >= floor, [case.text for case, _ in failed]


ORDER_SAID = {
    "go to x 0.2 um, focus, and take a 10 nm HAADF image",
    "focus first, then image 6 nm and give me the lattice parameter",
    "autofocus, take a HAADF image with a 6 nm field of view and measure the lattice constant",
}
"""Where the corpus disagrees with itself on order: these plans set the field of view before an autofocus said
first, others ("refocus, take a 5 nm frame") after it; the planner keeps the order said (decision 43)."""
TIP_SHARP = {"Is the tip still sharp after all the demos today?"}
"""Where the corpus disagrees with itself on a question: fresh3 ("is the tip still sharp?") checks the tip on a new
image, fresh21 reads its wear record; the planner checks it on an image, as the earlier batch and its tests say
(sharpness shows in the image, wear in the record)."""
SPECIMEN_FIRST = {"Grating sample: a 4,600 nm scan, then the pitch."}
"""Where the corpus disagrees with itself on a specimen named first: the specimen batch loads it ("SrTiO3: measure
the lattice"), fresh32 leaves the steps sample in for "Grating sample: ..."; the planner loads the grating, as the
earlier batch says (a pitch measured on the steps sample would answer about the wrong specimen)."""


@pytest.mark.slow
def test_no_corpus_request_is_acted_on_in_a_misread_form() -> None:
    misread = {case.text: calls for case in load_corpus() if (calls := misread_actions(case))}
    assert set(misread) <= ORDER_SAID | TIP_SHARP | SPECIMEN_FIRST, misread


def test_no_corpus_request_runs_a_tool_it_forbids() -> None:
    for case in (c for c in load_corpus() if c.forbid):
        assert not set(case.forbid) & set(driven(case.text, case.status).names), case.text


if __name__ == "__main__":
    table, wrong = pass_rates(load_corpus())
    for name, (passed, total) in table.items():
        print(f"| {name} | {passed}/{total} | {100 * passed / total:.0f} % |")
    all_passed, everything = sum(p for p, _ in table.values()), sum(t for _, t in table.values())
    print(f"| all | {all_passed}/{everything} | {100 * all_passed / everything:.1f} % |")
    misread = [(case, calls) for case in load_corpus() if (calls := misread_actions(case))]
    print(f"acted on a misreading: {len(misread)}")
    for case, calls in misread:
        print(f"  [{case.category}] {case.text!r} -> {calls}")
    if "-v" in sys.argv:
        for case, did in wrong:
            print(f"[{case.category}] {case.text!r}\n    expected {case.plan}\n    got {did}")
