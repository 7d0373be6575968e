"""Quantities said in words, spelled as numbers before the request is read ("half a micron" -> 0.5 micron, "zero
defocus" -> defocus 0, "@ 5 nm" -> at 5 nm, a bare "1k" -> 1024 px, "2k x 2k" -> 2048 px, "twenty-five pA" -> 25 pA,
"two hundred and fifty nm" -> 250 nm, "two and a half seconds" -> 2.5 seconds, "(25, 40) Å" -> (2.5, 4) nm, "seed
sixty-one" -> seed 61, "a fifth of a second" -> 0.2 second, "minus 10 degrees" -> -10 degrees, "1,000 nm" -> 1000 nm,
"512-pixel" -> 512 pixel, "one pixel" -> a pixel, "eightfold" -> 8x; a number word is spelled only before a unit, so
"snap one" stays a count). Pure text rewrites of the lower-cased request, applied by ``lexicon.normalise`` before its
abbreviations.
"""

from __future__ import annotations

import re

UNIT_WORD = r"(microns?|µm|um|nanomet(?:re|er)s?|nm|angstroms?|å|micromet(?:re|er)s?)"
ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
ONES += ["thirteen", "fourteen", "fifteen", "sixteen"]
ONES += ["seventeen", "eighteen", "nineteen"]
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
SCALES = {"hundred": 100, "thousand": 1000}
WORD_VALUES: dict[str, int] = {word: value for value, word in enumerate(ONES)} | TENS
FACTOR_WORD = "|".join(sorted([*ONES[2:], *TENS], key=len, reverse=True))
"""A factor said in words: "eightfold", "five times longer", "a factor of eight"."""
NUMBER_WORD = "|".join(sorted([*WORD_VALUES, *SCALES], key=len, reverse=True))
SPOKEN_UNIT = (
    r"(?:microns?|µm|um|nanomet(?:re|er)s?|nm|angstroms?|å|micromet(?:re|er)s?|pm|mm|millimet(?:re|er)s?|microseconds?|µs|us|ns|nanoseconds?|"
    r"milliseconds?|ms|seconds?|secs?|s|minutes?|mins?|pa|picoamps?|na|nanoamps?|kv|kilovolts?|mrad|milliradians?|"
    r"degrees?|deg|°|hz|hertz|px|pixels?|lines|frames|images|e/å2|e-/å2|e/a2|e-/a2|e/å²|e-/å²|electrons?|%|percent|"
    r"per cent)"
    r"(?![a-z])"
)
"""The units a number said in words may carry."""
DIGIT_WORD = "|".join(ONES[:10])
NUMBER_RUN = (
    r"\b(?:(?:an?\s+)?(?:(?:" + NUMBER_WORD + r")(?:[\s-]+(?:and\s+)?(?=(?:" + NUMBER_WORD + r")\b))?)+"
    r"(?:\s+point(?:\s+(?:" + DIGIT_WORD + r"))+)?|point(?:\s+(?:" + DIGIT_WORD + r"))+)\b"
)
"""A number said in words, wherever it stands ("seventy eight", "two point six", "point four five")."""
NUMBER_WORDS = NUMBER_RUN + r"(?=\s*(?:(?:more|further|extra)\s+)?" + SPOKEN_UNIT + ")"
"""A number said in words before a unit ("twenty-five nm", "two hundred and fifty pA", "a hundred px", "two point
five microns", "point six three microns")."""
TERM = r"(?:" + NUMBER_RUN + r"|\d+(?:\.\d+)?)(?:\s+(?:to|-)\s+(?:" + NUMBER_RUN + r"|\d+(?:\.\d+)?))?"
AXES = r"\bx\s+(?:=\s*)?" + TERM + r"\s*,?\s+(?:and\s+)?y\s+(?:=\s*)?" + TERM + r"(?=\s*" + SPOKEN_UNIT + ")"
"""A place or a span said on both axes, its numbers in words ("at x twelve point five y nine point five nanometres",
"x eleven to twenty six and y sixteen to twenty nine nanometres"): each number is spelled."""
GAIN_WORD = (
    r"\b((?:p|i|proportional|integral)[- ]gains?\s+(?:of\s+|to\s+|=\s*|at\s+|:\s*)?)(" + "|".join(ONES[:13]) + r")\b"
)
"""A gain said as one small word ("I gain eight per millisecond"): a value, never a count."""
SAID_NUMBER = r"(?:(?:" + NUMBER_WORD + r")(?:[\s-]+(?:and\s+)?(?=(?:" + NUMBER_WORD + r")\b))?)+"
AXIS_NUMBER = (
    r"\b((?:alpha|beta)(?: tilt)? (?:to|by|of|at) |(?:tilt|rotate)\b[^,;.]{0,20}? to )((?:minus |negative )?)("
    + SAID_NUMBER
    + r")\b(?=\s*(?:in (?:alpha|beta)\b|$|,|;|\.|and\b|then\b))"
)
"""A tilt said in words next to its axis, without a unit ("alpha to eighteen", "tilt the holder to minus twenty in
alpha"): spelled in degrees."""


def _factor_said(said: re.Match[str]) -> str:
    """A factor said in words before "times" ("twenty-three times", "a factor of eight"), in digits."""
    tens, ones, factor = said.group(1, 2, 3)
    if tens and WORD_VALUES[ones] >= 10:
        return said.group(0).replace(ones, str(WORD_VALUES[ones]))  # "twenty twelve times" is no one number
    return str((TENS[tens] if tens else 0) + WORD_VALUES[ones or factor])


def word_value(said: str) -> float | None:
    """ "two hundred and fifty" -> 250, "twenty-five" -> 25, "a thousand" -> 1000, "two point five" -> 2.5."""
    whole, _, fraction = f" {said}".partition(" point ")  # "point four five" has no whole part
    words = [w for w in re.split(r"[\s-]+", whole.strip()) if w and w != "and"]
    total = current = 0
    if words and words[0] in ("a", "an"):  # "a hundred" is one hundred; "a seventy one nm field" is 71 nm
        words = ["one", *words[1:]] if len(words) == 1 or words[1] in SCALES else words[1:]
    for word in words:
        if word in SCALES:
            current = max(current, 1) * SCALES[word]
            if SCALES[word] == 1000:
                total, current = total + current, 0
        elif word in WORD_VALUES:
            if current % 100 and (current % 10 or WORD_VALUES[word] >= 10):
                return None  # "six three" or "five twenty" is no one number
            current += WORD_VALUES[word]
        else:
            return None
    digits = "".join(str(WORD_VALUES[w]) for w in fraction.split() if w in WORD_VALUES)
    return float(f"{total + current}.{digits}") if digits else float(total + current)


SPOKEN: tuple[tuple[str, str], ...] = (
    (r"\s*@\s*", " at "),
    (
        r"\b(\d+(?:\.\d+)?)\s*(?:×|x|\*)\s*10\s*\^\s*\(?([-+−]?\d+)\)?(\s*a\b)?|"
        r"\b(\d+(?:\.\d+)?)e([-+]?\d+)\b(\s*a\b)?",
        "<sci>",
    ),
    (r"(?<![\w.])([-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?)\s*(m|rad)\b(?![/²^])", "<si>"),
    (
        r"(focus\w*\b[^.;]{0,40}?)(?:over |searching |within )?(?:±|\+/-|\+-|plus or minus)\s*(\d+(?:\.\d+)?)\s*(nm)\b",
        "<pm>",
    ),  # "autofocus, searching ±75 nm": over a 150 nm range
    (r"\b(\d+(?:\.\d+)?)(nm|um|µm|pa|na|kv|mrad|us|µs|ms|min|mins|s|hz|px|å|deg)\b", r"\1 \2"),
    (r"(?<=\))(?=(?:nm|um|µm|å)\b)", " "),
    # "48nm", "2.2us", "(560,610)nm": units glued on
    (r"\b([2-9])\s*x\s+(haadf|a?bf|adf)\b(?!\s+(?:frames?|images?))", r"\1 \2 frames"),  # "2x HAADF": two frames
    (r"\b(haadf|a?bf|adf)s\b", r"\1 frames"),
    (r"\b(" + FACTOR_WORD + r")[- ]?fold\b(?![- ]?(?:astig|stig|symmetr|axis|rotation))", "<fold>"),
    (
        r"\b(?:("
        + "|".join(TENS)
        + r")[\s-]+)?("
        + FACTOR_WORD
        + r")(?= times\b|(?: [a-z]+){0,2} (?:frames|images|pictures|scans)\b)|(?<=\bfactor of )("
        + FACTOR_WORD
        + r")\b",
        "<n>",
    ),
    (r"(\d)-(?=(?:pixels?|px|nm|µm|um|å|kv|pa|na|ms|us|µs|hz|mrad|degrees?|lines?)\b)", r"\1 "),
    (r"\b(?:one|a single) (?:pixel|px)\b(?!s)", "a pixel"),
    (r"\bhalf again as\b", "1.5 times as"),  # "half again as much time"
    (
        r"\b((?:probe |beam )?current|dwell(?: time)?|high tension|ht|accelerating voltage|voltage|beam energy|"
        r"field of view|fov|defocus|setpoint|dose) (is|are|stays?|remains?) (?:between )?([-+]?\d+(?:\.\d+)?)\s*"
        r"(?:(\+/-|±|\+-)|([a-zµ]+)?\s*and)\s*(\d+(?:\.\d+)?)\s*([a-zµ]+)\b",
        "<between>",
    ),  # "if the dwell is between 3 and 5 µs", "only if the current is 50 +/- 5 pA": two bounds
    (
        r"(?<![\w.])([-+]?\d+(?:\.\d+)?)\s*/\s*([-+]?\d+(?:\.\d+)?)\s*(nm|µm|um)\s*(?:\(x\s*/\s*y\)|in x\s*/\s*y\b)",
        r"(\1, \2) \3",
    ),  # "14/22 nm (x/y)", "2/-1.5 µm in x/y": a place
    (
        r"\bx\s*=\s*([-+]?\d+(?:\.\d+)?)\s*,?\s*(?:and\s+)?y\s*=\s*([-+]?\d+(?:\.\d+)?)(?![\d.])"
        r"(?!\s*(?:µm|um|microns?)\b)",
        r"(\1, \2)",
    ),  # "x=150, y=610 nm", "x=3.5 y=5": a place in the image (a stage place in µm is read as said)
    (r"(?<![\w~])~\s*(?=[-+]?\d)|\b(?:about|roughly|approximately|approx\.?|circa|ca\.)\s+(?=[-+]?\d)", ""),
    (r"\bback[- ]to[- ]back\b", "consecutive"),
    (r"\b(?:a )?half (?:of )?an? " + UNIT_WORD + r"\b", r"0.5 \1"),
    (r"\b(?:a )?quarter (?:of )?an? " + UNIT_WORD + r"\b", r"0.25 \1"),
    (
        r"\b(a|\d+|" + NUMBER_WORD + r") and (?:a )?(half|quarter) "
        r"(?=(?:(?:more|further|extra) )?" + SPOKEN_UNIT + r"|times\b|"
        r"(?:and|to) (?:\d|(?:" + NUMBER_WORD + r")\b))",
        "<half>",
    ),
    (r"\b(?:a )?(half|quarter)[- ]" + UNIT_WORD + r"\b", "<fraction>"),
    (AXIS_NUMBER, "<axis>"),
    (r"\bfor a (second|minute)\b", r"for 1 \1"),
    (r"\b(down|up|left|right)wards?\b", r"\1"),
    (r"\b(?:a )?half (?:of )?an? (second|sec|millisecond|minute|degree|hertz|hz)\b", r"0.5 \1"),
    (
        r"\bthree[- ]quarters? (?:of )?an? (second|sec|millisecond|degree|micron|nanomet(?:re|er)|millimet(?:re|er))\b",
        r"0.75 \1",
    ),
    (r"\b(?:a )?quarter (?:of )?an? (second|sec|millisecond|degree)\b", r"0.25 \1"),
    (r"\b(?:a|one) (third|fifth|tenth|twentieth) of an? (second|sec|minute)\b", "<part>"),
    (r"\bseed ((?:(?:" + NUMBER_WORD + r")\b(?:[\s-]+(?:and\s+)?(?=(?:" + NUMBER_WORD + r")\b))?)+)", "<seed>"),
    (r"(?<![\d.,(])(?<!\(\s)([1-9]\d{0,2}),(\d{3})(?![\d)]|,\d)", r"\1\2"),  # "1,000"; "0,065" has a decimal comma
    (r"(?<![\d.,])\b([1-9]\d{0,2}) (\d{3})\b(?=\s*(?:px|pixels?)\b)|(?<=\bseed )([1-9]\d{0,2}) (\d{3})\b", r"\1\2\3\4"),
    (AXES, "<axes>"),
    (NUMBER_WORDS, "<word>"),
    (GAIN_WORD, "<gain>"),
    (NUMBER_RUN, "<run>"),
    (r"\(\s*(\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)\s*\)\s*(?:å|angstroms?)\b", "<pair>"),
    (r"\b(?:minus|negative)\s+(?=\d|\.\d)", "-"),
    (
        r"\b(alpha|beta)((?: tilt)?)\s+(?:to\s+|=\s*|at\s+)?([-+]\d+(?:\.\d+)?)(?![\d.]|\s*(?:°|deg|degrees?|[a-zµ%]))",
        r"\1\2 to \3°",
    ),  # "alpha minus 12": a signed tilt needs no unit
    (r"\b(left|right|up|down|upwards|downwards|nm|µm|um)\s+plus\s+(?=\d)", r"\1 and "),  # "550 nm left plus 1.2 um up"
    (r"\bplus\s+(?=\d)", "+"),
    (r"\b(?:an?|one) (micron|micromet(?:re|er))\b", r"1 \1"),
    (
        r"\b(?:particle )?(?:size|diameter) spectrum\b|\bspectrum of (?:the )?(?:particle )?(?:sizes|diameters)\b",
        "size distribution",
    ),
    (r"\bzero (defocus|focus)\b", r"defocus 0"),
    (r"\b(defocus|focus) (?:back )?(?:to|at|of) zero\b", r"defocus 0"),
    (r"\b(rotation|alpha|beta|tilt) (to|back to|at|of) zero\b", r"\1 \2 0°"),
    (r"\b([124])\s?k\s*(?:x|×|by)\s*\1\s?k\b", r"\1k px"),
    (r"\b([124])k\b(?!\s*(?:x\b|e|v\b|ev|hz|nm|µm|um|counts?|dose))", "<k>"),
)
"""(pattern, spelled) applied in order; ``<word>`` spells a number said in words before a unit, ``<k>`` a bare
1k/2k/4k as its pixels (a frame size: 1k = 1024 px; "2k x 2k" is one square frame)."""
PARTS = {"third": 3, "fifth": 5, "tenth": 10, "twentieth": 20}
"""A part of a second said in words ("a fifth of a second" -> 0.2 second)."""
K_PIXELS = {"1": "1024", "2": "2048", "4": "4096"}


def spell_quantities(low: str) -> str:
    """See the module docstring."""
    for pattern, spelled in SPOKEN:
        if spelled == "<word>":
            low = re.sub(pattern, _spelled_number, low)
        elif spelled == "<gain>":
            low = re.sub(pattern, lambda m: f"{m.group(1)}{WORD_VALUES[m.group(2)]}", low)
        elif spelled == "<sci>":
            low = re.sub(pattern, _scientific, low)
        elif spelled == "<pm>":
            low = re.sub(pattern, lambda m: f"{m.group(1)}over a {2 * float(m.group(2)):g} {m.group(3)} range", low)
        elif spelled == "<between>":
            low = re.sub(pattern, _bounds, low)
        elif spelled == "<si>":
            low = re.sub(pattern, _si_unit, low)
        elif spelled == "<run>":
            low = re.sub(pattern, _spelled_run, low)
        elif spelled == "<axes>":
            low = re.sub(pattern, lambda m: re.sub(NUMBER_RUN, _spelled_number, m.group(0)), low)
        elif spelled == "<k>":
            low = re.sub(pattern, _k_pixels, low)
        elif spelled == "<seed>":
            low = re.sub(pattern, _spelled_seed, low)
        elif spelled == "<pair>":
            low = re.sub(pattern, lambda m: f"({float(m.group(1)) / 10:g}, {float(m.group(2)) / 10:g}) nm", low)
        elif spelled == "<axis>":
            low = re.sub(pattern, _axis_degrees, low)
        elif spelled == "<fraction>":
            low = re.sub(pattern, lambda m: f"{0.5 if m.group(1) == 'half' else 0.25} {m.group(2)}", low)
        elif spelled == "<half>":
            low = re.sub(pattern, _and_a_half, low)
        elif spelled == "<part>":
            low = re.sub(pattern, lambda m: f"{1 / PARTS[m.group(1)]:.4g} {m.group(2)}", low)
        elif spelled == "<n>":
            low = re.sub(pattern, _factor_said, low)
        elif spelled == "<fold>":
            low = re.sub(pattern, lambda m: f"{WORD_VALUES[m.group(1)]}x", low)
        else:
            low = re.sub(pattern, spelled, low)
    return " ".join(low.split())


def _spelled_number(match: re.Match[str]) -> str:
    value = word_value(match.group(0).strip())
    return match.group(0) if value is None else f"{value:g}"


def _scientific(match: re.Match[str]) -> str:
    """ "1.2 × 10^3" -> "1200", "2.5e3" -> "2500", "4.6 × 10^-11 A" -> "46 pA" (a current in amperes, as papers give
    it)."""
    mantissa, exponent, amperes = match.group(1, 2, 3) if match.group(1) else match.group(4, 5, 6)
    value = float(mantissa) * 10 ** int(exponent.replace("−", "-"))
    if amperes and value < 1e-3:
        return f"{value * 1e12:.6g} pa"
    return f"{value:.6g}" + (amperes or "")


def _bounds(match: re.Match[str]) -> str:
    """A setting said between two values, or as a value and its tolerance, as its two bounds."""
    setting, verb, first, tolerance, first_unit, second, unit = match.groups()
    if tolerance:
        low, high = float(first) - float(second), float(first) + float(second)
    elif match.group(0).split(verb, 1)[1].strip().startswith("between"):
        low, high = sorted((float(first), float(second)))
    else:
        return match.group(0)  # "the dwell is 3 µs and 5 ms the ...": no range
    return f"{setting} {verb} at least {low:g} {first_unit or unit} and at most {high:g} {unit}"


def _si_unit(match: re.Match[str]) -> str:
    """A length in metres or an angle in radians, as papers give them, in the reader's units: "-4.4e-08 m" -> "-44
    nm", "0.068 rad" -> "68 mrad" (a value too large to be one is left as said)."""
    value, unit = float(match.group(1)), match.group(2)
    if unit == "m" and abs(value) < 0.01:
        return f"{value * 1e9:.6g} nm"
    if unit == "rad" and abs(value) < 1:
        return f"{value * 1e3:.6g} mrad"
    return match.group(0)


def _spelled_run(match: re.Match[str]) -> str:
    """A number in words said with no unit: spelled unless it is one small word, which may be a count ("take one",
    "two frames") or a name the other readers know in words."""
    said = match.group(0)
    if said in ONES[:13] or said in ("a", "an"):
        return said
    value = word_value(said)
    return said if value is None else f"{value:g}"


def _axis_degrees(match: re.Match[str]) -> str:
    """ "alpha to eighteen" -> "alpha to 18°", "to minus twenty in alpha" -> "to -20° in alpha"."""
    value = word_value(match.group(3))
    if value is None:
        return match.group(0)
    return f"{match.group(1)}{'-' if match.group(2) else ''}{value:g}°"


def _and_a_half(match: re.Match[str]) -> str:
    """ "two and a half " -> "2.5 ", "3 and a half " -> "3.5 ", "four and half " -> "4.5 ", "four and a quarter " ->
    "4.25 "."""
    said = match.group(1)
    whole = float(said) if said.isdigit() else word_value(said)
    part = 0.5 if match.group(2) == "half" else 0.25
    return match.group(0) if whole is None else f"{whole + part:g} "


def _spelled_seed(match: re.Match[str]) -> str:
    """ "seed sixty-one" -> "seed 61", "seed one hundred" -> "seed 100"."""
    value = word_value(match.group(1))
    return match.group(0) if value is None else f"seed {value:g}"


def _k_pixels(match: re.Match[str]) -> str:
    """ "1k" -> "1024 px", unless a pixel word follows already ("1k px" -> "1024 px")."""
    follows_pixels = re.match(r"\s*(?:px|pixels?|(?:scan )?lines)\b", match.string[match.end() :])
    return K_PIXELS[match.group(1)] + ("" if follows_pixels else " px")
