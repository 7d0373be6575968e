"""Everyday verbs for a tool's action, spelled as the one verb the planner reads ("kill the beam" -> blank the beam,
"tip the holder" -> tilt the stage, "park the stage at the origin" -> move the stage to the origin, "get the tip off
the surface", "lift off" -> withdraw the tip, "bring the tip down", "touch down" -> approach the tip, "bump the
sample" -> move the stage, "stigmate" -> fix the astigmatism, "focus 10 nm under" -> underfocus 10 nm, "pull back
5x" -> zoom out 5x). Pure text rewrites of the lower-cased request, applied by ``lexicon.normalise`` after its
abbreviations, so a negated synonym ("don't kill the beam") is read, and forbidden, as the verb it stands for.
"""

from __future__ import annotations

import re

STAGE_THING = r"(?:(?:the\s+)?(?:stage|holder|specimen|sample|grid)|us)"
"""What a stage verb moves: the stage, or the specimen on it."""
HOME = r"(?:the\s+)?(?:stage\s+)?(?:origin|home(?:\s+position)?|zero(?:\s+position)?|(?:position\s+)?\(?0\s*,\s*0\)?)"
NOT_A_SETTING = r"(?!\s*(?:current|energy|voltage|dose|damage|time|tilt|shift|size|spread|convergence))"
"""The beam itself, not one of its settings ("cut the beam current to 10 pA" lowers the current)."""
CLAUSE_END = r"(?=\s*(?:$|[,.;!?]|and\b|then\b|please\b|now\b))"
"""A verb said alone at the end of its clause ("lift off, then change the tip")."""
SYNONYMS: tuple[tuple[str, str], ...] = (
    (r"\b(?:pull|back|step)\s+(?:back|out)\s+(?=\d+(?:\.\d+)?\s*(?:x|×|times)\b)", "zoom out "),
    (r"\bgo\s+in\s+(?=\d+(?:\.\d+)?\s*(?:x|×|times)\b)", "zoom in "),
    (r"\b(?:kill|cut|stop|block|shutter)(?:\s+the)?\s+beam\b" + NOT_A_SETTING, "blank the beam"),
    (r"^\s*(?:the )?beam off\b", "blank the beam"),
    (r"(?<=, )image(?=\s*(?:,|and\b|then\b))", "take an image"),  # "withdraw, change it, re-engage, image, and ..."
    (r"\b(?:unshutter|restore)(?:\s+the)?\s+beam\b" + NOT_A_SETTING, "unblank the beam"),
    (r"\b(?:tip|rock|tilt)\s+" + STAGE_THING + r"\b", "tilt the stage"),
    (
        r"\b(?:park|put|send|bring|take|return|reset|drive|move|re-?cent(?:re|er)|cent(?:re|er))\s+"
        + STAGE_THING
        + r"\s+(?:back\s+)?(?:at|to)\s+"
        + HOME
        + r"(?![\w(])",
        "move the stage to the origin",
    ),
    (
        r"\b(?:send|bring|take|return|drive)\s+"
        + STAGE_THING
        + r"\s+home\b|\breset the stage(?: position)?\b(?!\s*(?:tilt|alpha|beta))",
        "move the stage to the origin",
    ),
    (r"\b(?:bump|jog|nudge|push|slide|scoot|shift|displace|offset)\s+" + STAGE_THING + r"\b", "move the stage"),
    (
        r"\b(?:bump|jog|push|slide|scoot|displace|offset|shuffle|walk|creep)\b(?=\s+(?:it\s+|over\s+)?(?:by\s+)?[-+]?\d)",
        "move",
    ),
    (
        r"\b(?:get|pull|take|lift|move|bring|back|raise)\s+(?:the\s+)?(?:tip|cantilever|probe)\s+"
        r"(?:off|away from|clear of|up from|out of contact with)\s+(?:the\s+)?(?:surface|sample|specimen)\b",
        "withdraw the tip",
    ),
    (r"\b(?:swap|change|switch|trade) (?:the |this |that )?(?:afm )?tip (?:out|over)\b", "change the tip"),
    (r"\bback (?:the )?(?:tip|cantilever) (?:off|out|away)\b", "withdraw the tip"),
    (
        r"\breplace (?:it|the (?:afm )?(?:tip|probe|cantilever)) with an? (?:fresh|new|sharp) "
        r"(?:one|tip|probe|cantilever)\b",
        "change the tip",
    ),
    (r"(\btip\b.{0,80}?)\bpull it back\b", r"\1withdraw the tip"),  # "the tip died ... pull it back, fit a new one"
    (r"\bcollect\b(?=\s+(?:an? )?(?:eels|eds|edx|spectr))", "take"),
    (r"(?<!keep the )(?<!keep )\b(?:lift|back|pull|tip) (?:off|back|up|out)\b" + CLAUSE_END, "withdraw the tip"),
    (
        r"\b(?:bring|lower|put|move|drive|get|take|send)\s+(?:the\s+)?(?:tip|cantilever|probe)\s+"
        r"(?:down|in contact|into contact|onto the (?:surface|sample)|to the (?:surface|sample)|into feedback)\b",
        "approach the tip",
    ),
    (r"\b(?:touch down|make contact|go into contact|get into feedback)\b", "approach the tip"),
    (r"\bscan (?:the )?lines at\b", "line rate"),
    (r"\bstigmat(?:e|ing)\b(?: the (?:image|beam|probe))?", "fix the astigmatism"),
    (r"\bfocus\s+([-+]?\d+(?:\.\d+)?)\s*(nm|µm|um|å)\s+(under|over)\b(?!\s*focus)", r"\3focus \1 \2"),
    (r"\b([-+]?\d+(?:\.\d+)?)\s*(nm|µm|um|å)\s+(under|over)[- ]focus(?:ed)?\b", r"\3focus \1 \2"),
    (r"\bdefocus\s+([-+]?\d+(?:\.\d+)?)\s*(nm|µm|um|å)\s+(under|over)\b(?!\s*focus)", r"\3focus \1 \2"),
    (r"\b(under|over)[- ]focus(?:ed)?\b", r"\1focus"),
    (r"\b(under|over)focus the (?:probe|beam|image|lens)\b", r"\1focus"),
)
"""(pattern, canonical verb phrase), applied in order."""


TIP_PRONOUN = (
    (r"\b(?:lift|raise) it(?: up| off)?\b(?!\s+by)", "withdraw the tip"),
    (r"\b(?:lower|bring) it(?: back)?(?: down)?(?: again)?\b(?!\s+(?:by|to))", "approach the tip again"),
    (r"\b(?:change|replace|swap) it\b(?!\s+(?:to|for|by|with|back))", "change the tip"),
)
"""The tip said as "it" once it is named ("the tip seems blunt, lift it, put on a new tip, lower it again", "the tip
is worn: withdraw, change it")."""


def canonical_verbs(low: str) -> str:
    """See the module docstring."""
    for pattern, verb in SYNONYMS:
        low = re.sub(pattern, verb, low)
    if tip := re.search(r"\btip\b", low):
        low = low[: tip.end()] + _tip_verbs(low[tip.end() :])
    return low


def _tip_verbs(after: str) -> str:
    for pattern, verb in TIP_PRONOUN:
        after = re.sub(pattern, verb, after)
    return after
