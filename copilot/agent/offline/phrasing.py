"""English shaped by another language, rewritten to the words the reader reads: "the actual defocus" is the present
one, "control the focus" checks it, "put the current on 40 pA" sets it to 40 pA, "reduce the dwell of 30 percent"
reduces it by 30 percent, "EELS in (6, 3) nm" is at that place, "and after EDX ..." is "and then", "more sharp" is
sharper, and a decimal comma ("2,5 µs") is a decimal point where no place is meant (a length only after the setting
it sizes: "at 2,2 nm" is a place, "field of view 1,5 µm" a length). Pure text rewrites of the lower-cased request,
applied by ``lexicon.normalise``."""

from __future__ import annotations

from copilot.agent.offline.typed import rewritten

SETTING_BEFORE = (
    r"(?:current|size|setpoint|cs|gain|defocus|dwell|field|fov|voltage|high tension|kv|angle|alpha|beta|rate|pixels?|"
    r"\bz|\bp|\bi|height|astigmatism|a1|convergence|rotation)"
)
"""A setting named right before the value it is put "on"."""
VALUE = r"(?=[-+]?\d)"
REWRITES: tuple[tuple[str, str], ...] = (
    (
        r"\bthe actual\b(?= (?:[\w-]+ ){0,2}(?:value|setting|defocus|focus|field|fov|dwell|current|pixels?|energy|"
        r"voltage|high tension|kv|scan|size|rate|setpoint|position|number|count)\b|\s*(?:[.,;!?]|$))",
        "the present",
    ),
    (r"\b(?:the )?settings of now\b", "the present settings"),
    (r"\bin respect to now\b|\bwith respect to now\b|\brespect to now\b", "from now"),
    (r"\bcontrol\b(?= (?:please |also |again |first |quickly )?(?:the|if|whether|that|what|how)\b)", "check"),
    (
        r"\b(check|take|make|set|give|put|do|measure|show|tell|move|load|record|count|find|reduce|increase|decrease|"
        r"lower|raise) please\b",
        r"please \1",
    ),
    (
        r"(?<![\d.,])(0|\d+(?=,\d{1,2}\b|,\d{4,})),"
        + r"(\d+)(?=\s*(?:µs|us|ms|pa|na|fa|kv|mrad|hz|%|°|deg\w*|mm\b|s\b|"
        r"seconds?\b|e-?/))",
        r"\1.\2",
    ),  # "2,5 µs", "0,065 na"; "1,000 pa" keeps its thousands separator
    (
        r"\b((?:view|fov|size|field|width|scan|frame|image|defocus|bf|haadf|filter|scale)(?: to| of| =)?|by|on|of) "
        r"(0|\d+(?=,\d{1,2}\b|,\d{4,})),(\d+)(?=\s*(?:nm|µm|um|å)\b)",
        r"\1 \2.\3",
    ),
    (r"(^|[,;.:] )((?:the )?(?:[\w-]+ ){0,4}?[\w-]+) (?:put|set|bring) (?:on|to|at) " + VALUE, r"\1set \2 to "),
    (r"\b((?:put|set|need|have|bring|make|get|keep|change)\b[^,.;]{0,40}?) on " + VALUE, r"\1 to "),
    (r"\b(" + SETTING_BEFORE + r") on " + VALUE, r"\1 to "),
    (
        r"\b((?:move|shift|increase|reduce|decrease|raise|lower|drop|cut|change)\b(?: [\w-]+){0,3}?) of " + VALUE,
        r"\1 by ",
    ),
    (r"(?<=\band) of " + VALUE, " by "),
    (r"\b(eels|eds|edx|spectrum|spot|point) in (?=\()", r"\1 at "),
    (
        r"\b((?:the )?(?:dwell(?: time)?|probe current|beam current|current|field of view|fov|defocus|setpoint|alpha|"
        r"beta|line rate|pixel count|high tension|voltage|convergence(?: angle)?|scan size))\s+(?:please\s+)?"
        r"(increase|reduce|decrease|raise|lower|drop|cut|lengthen|shorten|widen|narrow)\b",
        r"\2 \1",
    ),
    (r"\b(line rate|scan size|setpoint|scan|gains?) of the (afm|stem)\b", r"\2 \1"),
    (r"\bthe edge of ([a-z]+)\b", r"the \1 edge"),
    (r"\bput inside (?:the (?:microscope|stem|afm|column|holder) )?", "load "),
    (r"\band after\b(?! (?:that|it|this|the (?:first|last|other))\b)", "and then"),
    (r"\bmore (sharp|crisp)\b", r"\1er"),
    (r"\bto (up|down)\b", r"\1"),
    (r"\bfor a factor\b", "by a factor of"),
    (r"\bseed is\b", "seed"),
)


def rephrased(low: str) -> str:
    """``low`` with the rewrites applied (see the module docstring)."""
    return rewritten(low, REWRITES)
