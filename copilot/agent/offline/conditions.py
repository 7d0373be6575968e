"""Actions asked for only under a condition the planner does not judge ("autofocus only if the focus is bad", "if
the image is blurry, autofocus", "refocus unless it is sharp"): the action and its condition are cut out of the
text the planner reads, so the action never runs unconditionally, and the answer says what was not run and why.

The tools report figures (a sharpness to compare frames, a drift rate), not verdicts such as "bad focus", so the
planner cannot say when the condition holds. Conditions it does judge are left to their own rules: a double tip
(``tip_check``), astigmatism "if needed" or "if so" (``astig_check``), trace and retrace that "do not agree"
(feedback tuning), a dose or limit the frame must fit ("provided it stays below the critical dose", "can you
image it under 1e4 e-/A^2? if so, take it": the dose checks decline a frame that does not fit). "If" meaning
whether ("tell me if it is sharp", "check if the tip is double") is no condition, and a courtesy ("if possible",
"if you can") is dropped.
"""

from __future__ import annotations

import re

CONDITION = re.compile(r"\b(?:only\s+)?(?:if|unless|in case|provided(?:\s+that)?|as long as|otherwise|or else)\b")
"""What opens a condition ("anything else" is no "or else")."""
WHETHER = (
    r"(?:\b(?:tell me|let me know|see|check|know|ask|wonder|find out|say|look|judge|decide|what|whether|happen)|\?)\s*$"
)
"""Words before an "if" that make it a whether ("tell me if ...")."""
JUDGED = (
    r"double|astig|\bstig|trace|retrace|\bagree|\bdose\b|\bbudget\b|can be done|\bfits?\b|feasible|possible|"
    r"\byou can\b|\bstays? (?:below|under|within)\b"
)
"""Conditions another rule of the planner judges."""
GENERIC = r"\b(?:if|unless) (?:so|yes|needed|necessary|required|not|they do not|they don['’]t|it is not|it isn['’]t)\b"
JUDGED_TOPICS = r"astig|\bstig|\btip\b|\bgains?\b|feedback|trace|\bdose\b|budget|possible|\bcan (?:you|i|we)\b"
"""A bare "if needed" or "if not" is judged only in a request about what those rules judge."""
COURTESY = r",?\s*\bif (?:possible|you can|you could|we can|we could|you like|you want|you wish|feasible|"
COURTESY += r"that['’]?s (?:ok|okay|fine|alright|all right)|you don['’]?t mind|"
COURTESY += r"you have (?:a )?(?:moment|minute|sec|second|time)|"
COURTESY += r"it['’]?s (?:no |not (?:too much |a )?)(?:trouble|bother|problem))\b"
COURTESY += r"|\b(?:sorry|apologies|forgive me|excuse me|pardon me) (?:if|for)\b[^,;:.!?]*"
"""A courtesy, not a condition ("if you can", "sorry if my words are off")."""
HELD = r"\b(?:stays?|stayed|remains?|remained|been|keeps?|comes? (?:in|out)|lands?|ends? up|holds?)"
"""How a condition that is a limit ends ("if the frame stays", "as long as the current has stayed")."""
CONDITION_END = re.compile(r"[,;.!?](?:\s|$)|\s(?:then|but|and)\b|$")
ACTION_END = re.compile(r"[;.!?](?:\s|$)|,?\s(?:then|but)\b|,?\s(?=otherwise\b|or else\b)|$")
CLAUSE_START = re.compile(r"[,;.!?](?:\s|$)|\b(?:then|but|and|so|please|just)\b")


def cut_conditions(low: str, whole: str | None = None, limited: bool = False) -> tuple[str, list[str]]:
    """``low`` without its conditional actions and their conditions, and one sentence for each (see the module
    docstring); ``whole`` is the request before its limits were cut out (what a bare "if so" refers to), and
    ``limited`` says a limit was read from it ("is the probe at or under 55 pA? if so, ...": the limit is the
    condition, and the limit checks judge it)."""
    said = whole if whole is not None else low
    text = re.sub(COURTESY, " ", low)
    notes: list[str] = []
    for match in reversed(list(CONDITION.finditer(text))):
        if re.search(WHETHER, text[: match.start()]):
            continue
        alternative = match.group(0) in ("otherwise", "or else")  # "..., otherwise take an image": conditional too
        end = None if alternative else CONDITION_END.search(text, match.end())
        stop = match.end() if alternative else (end.start() if end else len(text))
        condition = (
            "otherwise (when the condition before it does not hold)" if alternative else text[match.start() : stop]
        )
        condition = condition.strip()
        if limited and re.search(HELD + r"$", condition):
            text = text[: match.start()] + " " + text[stop:]  # "if the frame stays": its limit was read already
            continue
        generic = re.search(GENERIC, condition) and (limited or re.search(JUDGED_TOPICS, said))
        if re.search(JUDGED, condition) or generic:
            continue
        start = max((m.end() for m in CLAUSE_START.finditer(text[: match.start()])), default=0)
        if text[start : match.start()].strip(" ,") and not alternative:
            action, cut = text[start : match.start()], (start, stop)  # "autofocus only if the focus is bad"
        else:
            rest = ACTION_END.search(text, stop + 1) if stop < len(text) else None
            finish = rest.start() if rest else len(text)
            action, cut = text[stop:finish], (match.start(), finish)  # "if the image is blurry, autofocus"
        action = action.strip(" ,;")
        notes.insert(0, unjudged(action or condition, condition))  # "if it looks fuzzy refocus": said as one
        text = text[: cut[0]] + " " + text[cut[1] :]
    return " ".join(text.split()), notes


def unjudged(action: str, condition: str) -> str:
    """The sentence for an action not run because its condition is not judged."""
    check = " (e.g. 'check the focus quality')" if re.search(r"focus|blur|sharp|fuzzy|soft", condition) else ""
    return (
        f"'{action}' was not run: you asked for it {condition!r}, and I do not judge that condition from the tools' "
        f"results (they report figures, not verdicts), so I did not run it either way; ask for the check itself{check} "
        "and decide on its figures, or ask for the action without the condition"
    )
