"""Sentences that tell rather than ask: what was set on another day ("last week we ran at 26 pA", "yesterday Kenji
had the HAADF inner angle at 95 mrad", "Dmitri's frames from Tuesday were at a 24 nm field"), what someone else
will do ("Anna is going to load the blend tomorrow", "rumour has it Priya will swap the tip this afternoon", "-
Marta will run it") and a plan for another day ("tomorrow's plan is graphene at 60 kV"). They are cut whole, numbers
and all, before anything else is read, so none of their values is set; what is asked next to them ("..., so leave
the current one in") is read as usual. A message that is only such remarks runs nothing and says so."""

from __future__ import annotations

import re

DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
BEFORE = (
    r"(?:last (?:week|time|month|night|session|year|run|visit|" + DAY + r")|yesterday(?!'s)|the other day|"
    r"(?:on|last) " + DAY + r"(?!'s)|earlier this (?:week|month)|a (?:week|month|few days) ago)"
)
"""Another day, before today ("last week", "yesterday", "on Tuesday"); "yesterday's frame" is data to work on."""
NOTE = r"(?:(?:just so you know|fyi|for the record|for info|heads up|rumou?r has it|apparently|btw|by the way),?\s+)?"
"""How a remark may start ("just so you know, ...")."""
CLAUSE = r"(?:[^.;!?]|(?<=\d)\.(?=\d))*?"
"""Words up to the end of a clause (a decimal point does not end it)."""
STOP = r"[;!?]|\.(?!\d)|$"
"""Where a sentence ends."""
END = CLAUSE + r"(?=,?\s+(?:so|but|and then|please)\b|\s-\s|" + STOP + ")"
"""The rest of the remark, up to what may be asked next to it."""
NOT_A_PERSON = (
    r"(?:i|we|you|it|this|that|there|which|what|who|how|if|then|the|a|an|stage|beam|focus|tip|scan|image|frame|it'?s|"
    r"one|everything|nothing|drift|dose|current|sample|specimen|afm|stem)"
)
"""Words that are not someone else doing something ("it will", "the stage will drift")."""
REMARKS = (
    # another day's settings, said as a past
    r"(?:^|(?<=[.;!?] ))" + NOTE + BEFORE + r",?\s" + END,
    r"(?:^|(?<=[.;!?] ))" + NOTE + r"[\w' ]{0,40}?\b(?:from|on) (?:" + DAY + r"|yesterday|last \w+)\b "
    r"(?:were|was|had|ran|used)\b" + END,
    # someone else's plan
    r"(?:^|(?<=[.;!?] )|(?<=\s-\s)|(?<=, ))" + NOTE + r"(?!" + NOT_A_PERSON + r"\b)[a-z]+ "
    r"(?:is going to|will|'ll|is planning to|plans to|wants to do)\b(?! you\b)" + END,
    r"(?:^|(?<=[.;!?] )|(?<=\s-\s))" + NOTE + r"(?:tomorrow|next week|tonight|" + DAY + r")'?s? (?:[\w-]+ )?"
    r"(?:plan|session|run|booking|job|class|course|demo)s? (?:is|are|will be)\b" + CLAUSE + r"(?=\s-\s|" + STOP + ")",
)
REMARK = re.compile("|".join(REMARKS))
"""Any of ``REMARKS``."""


BACK_TO = re.compile(
    r"^[\s,]*(?:so |and )?(?:let'?s |please )?(?:go|get|come|switch|put it|set it) back to (?:it|that)\b"
)
"""A request for what a remark says ("last week 140 kV worked well, so let's go back to it"): the remark is kept."""


def without_remarks(low: str) -> tuple[str, list[str]]:
    """``low`` without its remarks (see the module docstring), and the remarks as said."""
    found = [m for m in REMARK.finditer(low) if m.group(0).strip(" ,") and not BACK_TO.match(low[m.end() :])]
    for remark in reversed(found):
        low = low[: remark.start()] + " " + low[remark.end() :]
    return low, [remark.group(0).strip(" ,") for remark in found]


def remark_answer(remarks: list[str]) -> str:
    """The answer to a message that only tells what was or will be done."""
    quoted = "; ".join(f"'{remark}'" for remark in remarks)
    return (
        f"I read {quoted} as a note about another time or another person's work, not as a request, so I ran nothing "
        "and changed no setting. Tell me what to do now (e.g. 'set the current to 26 pA') and I will run it."
    )
