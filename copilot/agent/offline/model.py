"""``OfflinePlanner``: the deterministic planner as a LangChain chat model (no network, no key).

Each call re-reads the conversation: the last user message gives the plan (``parse`` + ``plan``), the tool results since
then say how far it got. Requests the tools cannot do, or that would harm the tip or the specimen, are declined before
anything runs (``safety``), and so are requests holding a number the reading could not place (``unread``). Plans that
depend on the instrument's state (AFM engagement and gains, the field of view, the dose a frame would deliver, which
instrument is loaded when a scan or image names none) start with ``get_status``. The next step's call is emitted, one
call per reply; when the plan is done (or a step failed, or a person declined) the answer is written from the tool
results, the requested figures first (``answer``). A step refused by a known instrument fault (aborted scan, blanked
beam, tip not engaged) is retried after the fix (``recovery``), unless the fix is an action the request forbids; an
over-budget acquisition a person declined (the tool asks them itself) is reported, not retried. A step that worked but
whose result is not good enough yet gets its follow-up (``followups``): an autofocus series widened or refined
(``focus_passes``), a read-noise-limited frame taken again at a higher current within the dose limits and the analysis
rerun (``signal_retry``); the answer says so, and drops the superseded result's warning.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from copilot.agent.middleware import REPOST_MARK
from copilot.agent.offline.answer import cannot_do, compose
from copilot.agent.offline.figures import headline, warnings
from copilot.agent.offline.focus_passes import focus_follow_up
from copilot.agent.offline.followups import MAX_FOLLOW_UPS, Context, LazyArgs, Rule, context_of, follow_up
from copilot.agent.offline.honour import apply_forbidden, limit_problem
from copilot.agent.offline.outcomes import Outcome
from copilot.agent.offline.parse import parse_request
from copilot.agent.offline.plan import ACTION_INTENTS, build_plan, needs_status
from copilot.agent.offline.questions import status_answer
from copilot.agent.offline.recipes import verdicts
from copilot.agent.offline.recovery import MAX_RECOVERIES, already_done, fixes_for
from copilot.agent.offline.remarks import remark_answer
from copilot.agent.offline.request import Request
from copilot.agent.offline.safety import dose_check, out_of_range, refusal, unsafe_setpoint
from copilot.agent.offline.said_order import as_said
from copilot.agent.offline.scan_first import after_scan_first, scan_first
from copilot.agent.offline.sequence import clauses, compare_line, sequence_steps
from copilot.agent.offline.signal_retry import signal_follow_up
from copilot.agent.offline.steps import Step
from copilot.agent.offline.unread import unhonoured
from copilot.agent.replymodel import ReplyChatModel
from copilot.agent.stream import tool_data, tool_text

ID_KEYS = ("acquisition_id", "acq_id", "image_id", "id")
NOT_QUESTIONS = {"list_specimens", "load", "export", "dose_map"}
"""Requests answered by a tool other than the status, even when they are said as a question."""
FOLLOW_UP_RULES: tuple[Rule, ...] = (focus_follow_up, signal_follow_up)
"""What is done next when a step worked but its result is not good enough yet (``followups``)."""


@dataclass
class Progress:
    """Where the plan stands after replaying the outcomes of this turn."""

    next_call: tuple[str, dict[str, Any]] | None = None
    notes: list[str] = field(default_factory=list)
    failure: Outcome | None = None
    recovered: list[str] = field(default_factory=list)  # faults cleared on the way, said in the answer
    superseded: list[Outcome] = field(default_factory=list)  # results a follow-up replaced: no warning of theirs


class OfflinePlanner(ReplyChatModel):
    """See the module docstring."""

    def reply(self, messages: Sequence[BaseMessage]) -> AIMessage:
        """The next tool call of the plan, or the final answer."""
        request = parse_request(_last_user_text(messages))
        unread = request.unread
        if unread and all(not parse_request(part).unread for part in clauses(request.text)):
            request.unread = []  # "defocus -20 nm, take a frame, back to 0": each clause places its numbers...
        declined = refusal(request)
        if declined:
            return AIMessage(content=declined)
        outcomes = turn_outcomes(messages)
        if request.questions and not request.intents & (ACTION_INTENTS | NOT_QUESTIONS):
            if not outcomes:
                return self._call(messages, "get_status", {})
            return AIMessage(content=status_answer(request.questions, outcomes[0].data if outcomes[0].ok else {}))
        if not request.intents and request.unjudged:
            return AIMessage(
                content="Nothing was run. " + " ".join(f"{note[0].upper()}{note[1:]}." for note in request.unjudged)
            )
        if not request.intents and request.remarks:
            return AIMessage(content=remark_answer(request.remarks))
        if not request.intents:
            return AIMessage(content=cannot_do(request.unsupported, request.unmapped, request.constraints))
        status: dict[str, Any] | None = None
        reads_status = needs_status(request)
        if reads_status and not outcomes and (outside := self._outside_everywhere(request)):
            return AIMessage(content=outside)
        first = scan_first(request, self.tool_schemas) if reads_status else []
        at = len(first)  # where the status read sits among the outcomes
        if reads_status:
            if len(outcomes) < at:
                step = first[len(outcomes)]
                return self._call(messages, step.tool, dict(step.args) if isinstance(step.args, dict) else {})
            if len(outcomes) <= at:
                return self._call(messages, "get_status", {})
            status = outcomes[at].data if outcomes[at].ok else {}
            if too_much := dose_check(request, status):
                return AIMessage(content=too_much)
        read = [] if status is None else [outcomes[at]]
        done = [o for o in outcomes if not any(o is r for r in read)]  # the plan's outcomes, the status read apart
        whole = build_plan(request, status)
        if unsafe := unsafe_setpoint(request):  # a setpoint scaled from the present one is known only now
            return AIMessage(content=unsafe)
        sequence = sequence_steps(request.text, lambda clause: build_plan(clause, status), whole)
        if sequence is None and unread and not request.unread:
            request.unread = unread  # ... but only a sequence planned clause by clause reads them
            return AIMessage(content=refusal(request) or "")
        ordered = sequence or as_said(request.text, lambda clause: build_plan(clause, status), whole)
        steps, left_out = apply_forbidden(ordered, request.constraints)
        steps = after_scan_first(steps, first) if first else steps
        if outside := out_of_range(steps, self.tool_schemas):
            return AIMessage(content=outside)
        problem, kept = limit_problem(steps, request.constraints, status, self.tool_schemas)
        if problem:
            return AIMessage(content=problem)
        if not steps:
            return AIMessage(content=cannot_do(request.unsupported, request.unmapped, request.constraints))
        forbidden = {tool for c in request.constraints if c.kind == "forbid" for tool in c.tools}
        context = context_of(request.constraints, status, self.tool_schemas)
        progress = self.replay(steps, done, list(read), forbidden, context)
        progress.notes = [
            *left_out,
            *request.unjudged,
            *unhonoured(request, {step.tool for step in steps}),
            *progress.notes,
        ]
        if progress.next_call is not None:
            return self._call(messages, *progress.next_call)
        shown = outcomes if "status" in request.intents or "dose" in request.intents else done
        body = compose(
            shown, progress.notes, progress.failure, request.unsupported, progress.recovered, request.unmapped, kept
        )
        scored = sum(step.kind == "Compare" and step.tool == "focus_quality" for step in steps)
        compared = compare_line(outcomes, max(scored, 2)) if sequence or scored >= 2 else None
        lead = [*verdicts(outcomes, request, status), *([compared] if compared else []), *headline(outcomes)]
        lead += warnings([o for o in outcomes if not any(o is old for old in progress.superseded)])
        return AIMessage(content="\n".join(line for line in [*lead, body] if line))

    def _outside_everywhere(self, request: Request) -> str | None:
        """Why a value is outside the range of every instrument that could take it ("2.5 nA for faster EDX?", a
        30 µm field): declined before the status is read, since no status could make it run."""
        candidates = [None] if request.instrument else [{"instrument": "STEM"}, {"instrument": "AFM"}]
        plans = [  # on copies: a plan may note what it read into its request
            apply_forbidden(build_plan(deepcopy(request), status), request.constraints)[0] for status in candidates
        ]
        said = [out_of_range(steps, self.tool_schemas) for steps in plans]
        if not any(said) or not all(reason or not steps for reason, steps in zip(said, plans, strict=True)):
            return None  # some instrument could run it
        return " ".join(dict.fromkeys(reason for reason in said if reason))

    @staticmethod
    def _call(messages: Sequence[BaseMessage], name: str, args: dict[str, Any]) -> AIMessage:
        call_id = f"offline-{sum(isinstance(m, AIMessage) for m in messages)}"
        return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": call_id}])

    def replay(
        self,
        steps: Sequence[Step],
        outcomes: Sequence[Outcome],
        seen: list[Outcome] | None = None,
        forbidden: set[str] | frozenset[str] = frozenset(),
        context: Context | None = None,
    ) -> Progress:
        """Match the outcomes so far against the plan; see the module docstring. A fault whose fix calls a
        ``forbidden`` tool is reported, not fixed; ``context`` bounds what a follow-up may do."""
        progress = Progress()
        seen = list(seen or [])
        pending = list(outcomes)
        context = context or Context(schemas=self.tool_schemas)
        for step in steps:
            if self.tool_schemas and step.tool not in self.tool_schemas:
                progress.notes.append(f"{step.tool} is not available on this server")
                continue
            if step.when is not None and not step.when(seen):
                continue
            args = self._step_args(step, seen, progress)
            if args is None:
                continue
            if not self._run_step(step, args, pending, seen, progress, forbidden, context):
                return progress
        return progress

    def _step_args(self, step: Step, seen: Sequence[Outcome], progress: Progress) -> dict[str, Any] | None:
        """The step's arguments for the outcomes so far, fitted to the tool (None: skipped, with the reason)."""
        args = step.args(seen) if callable(step.args) else dict(step.args)
        if isinstance(args, str):
            progress.notes.append(args)
            return None
        required = self.tool_schemas.get(step.tool, {}).get("required")
        if required is not None:  # the tool works the fallback out itself (dt_s from the frames' start times)
            args = {key: value for key, value in args.items() if key not in step.fallback or key in required}
        args, dropped = self.fit_args(step.tool, args)
        progress.notes += dropped
        return args

    def _run_step(
        self,
        step: Step,
        args: dict[str, Any],
        pending: list[Outcome],
        seen: list[Outcome],
        progress: Progress,
        forbidden: set[str] | frozenset[str],
        context: Context,
    ) -> bool:
        """Replay one step with its fault recoveries, follow-ups and approval retry; False when the plan stops
        here."""
        queue: list[tuple[str, dict[str, Any] | LazyArgs, bool]] = [(step.tool, args, True)]
        recoveries = followed = 0
        last_main: Outcome | None = None
        while queue:
            tool, planned, main = queue.pop(0)
            if callable(planned):
                worked_out = planned(seen)
                if isinstance(worked_out, str):
                    progress.notes.append(worked_out)
                    continue
                planned = self.fit_args(tool, worked_out)[0]
            call_args = planned
            if not pending:
                progress.next_call = (tool, call_args)
                return False
            outcome = pending.pop(0)
            seen.append(outcome)
            last_main = outcome if main else last_main
            extra = follow_up(outcome, seen, context, FOLLOW_UP_RULES) if followed < MAX_FOLLOW_UPS else None
            if extra is not None:
                followed += 1
                progress.recovered += [extra.reason] if extra.reason else []
                progress.superseded.append(outcome)
                rerun: list[tuple[str, dict[str, Any] | LazyArgs, bool]] = []
                if extra.retry:
                    rerun = [(step.tool, lambda done: self._step_args(step, done, Progress()) or {}, True)]
                queue = [(name, fix, False) for name, fix in extra.calls] + rerun + queue
                continue
            if outcome.ok or already_done(tool, outcome.text):
                if main:
                    return True
                continue
            fixes = fixes_for(tool, outcome.text) if recoveries < MAX_RECOVERIES else None
            if fixes and any(name in forbidden for name, _ in fixes):
                fixes = None  # the fix is an action the request forbids
            if fixes is not None:
                recoveries += 1
                fix_text = " and ".join(f"{name}({_args_text(fix)})" for name, fix in fixes)
                reason = outcome.text.strip().split(". ")[0]
                progress.recovered.append(
                    f"{tool}: {reason}; {'ran ' + fix_text + ' and ' if fixes else ''}tried again"
                )
                queue = [(name, fix, False) for name, fix in fixes] + [(step.tool, args, True)]
                continue
            return self._failed(step, outcome, progress)
        if last_main is not None and not (last_main.ok or already_done(last_main.name, last_main.text)):
            return self._failed(step, last_main, progress)
        return True

    @staticmethod
    def _failed(step: Step, outcome: Outcome, progress: Progress) -> bool:
        """A failed call: an optional step is noted and the plan goes on; else the plan stops with it."""
        if step.optional:
            progress.notes.append(f"{outcome.name} failed ({outcome.text.strip()}), so the plan went on")
            return True
        progress.failure = outcome
        return False

    def fit_args(self, tool: str, args: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """Fit planned arguments to the tool's schema: rename the acquisition id argument, drop names the tool
        does not take, match choices case-insensitively and drop values it does not offer (with a note)."""
        properties = self.tool_schemas.get(tool, {}).get("properties")
        if not properties:
            return args, []
        named = dict(args)
        if "acquisition_id" in named and "acquisition_id" not in properties:
            target = next((key for key in ID_KEYS if key in properties), None)
            named[target or "acquisition_id"] = named.pop("acquisition_id")
        fitted: dict[str, Any] = {}
        notes: list[str] = []
        for key, value in named.items():
            if key not in properties:
                continue
            choices = _choices(properties[key])
            if choices and isinstance(value, str):
                match = next((c for c in choices if c.lower() == value.lower()), None)
                if match is None:
                    notes.append(f"{tool} offers {key} {' / '.join(choices)}, not {value}; the default was used")
                    continue
                value = match
            fitted[key] = value
        return fitted, notes


def _args_text(args: dict[str, Any]) -> str:
    return ", ".join(f"{key}={str(value).lower() if isinstance(value, bool) else value}" for key, value in args.items())


def _choices(schema: dict[str, Any]) -> list[str]:
    options = [schema, *schema.get("anyOf", [])]
    return [str(c) for option in options for c in option.get("enum", [])]


def _last_user_text(messages: Sequence[BaseMessage]) -> str:
    return next((m.text for m in reversed(messages) if _is_user(m)), "")


def turn_outcomes(messages: Sequence[BaseMessage]) -> list[Outcome]:
    """The tool calls and results since the last user message, in order."""
    start = max((i for i, m in enumerate(messages) if _is_user(m)), default=-1)
    calls: dict[str, tuple[str, dict[str, Any]]] = {}
    outcomes: list[Outcome] = []
    for message in messages[start + 1 :]:
        if isinstance(message, AIMessage):
            calls.update({str(c["id"]): (c["name"], dict(c["args"])) for c in message.tool_calls})
        elif isinstance(message, ToolMessage):
            name, args = calls.get(message.tool_call_id, (message.name or "", {}))
            ok = message.status != "error"
            outcomes.append(Outcome(name, args, ok, tool_data(message), tool_text(message)))
    return outcomes


def _is_user(message: BaseMessage) -> bool:
    return isinstance(message, HumanMessage) and not message.additional_kwargs.get(REPOST_MARK)
