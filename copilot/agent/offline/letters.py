"""A request pasted from an email or a chat message: the greeting, the sign-off, a subject line, a forwarding note
and the reply words around a quoted message are no part of what is asked.

"Hi both, would you mind ...? Cheers, Ana (Uppsala)" asks what is between. "Re: this morning's frame - were there
any vacancies in it?" asks about the frame the subject names, so "it" becomes that frame; a subject that names no
data ("Re: BF - set the bright-field outer angle ...") is dropped. "> can you take the HAADF next? Yes, do that, but
at 325 nm" keeps the quoted request and the reply's change to it, without the "yes, do that, but"; a quoted remark
("> the field is a bit tight. Agreed - widen it by 90 nm") only says what "it" in the reply is. Read on the text
as written (names are capitalised), before it is lower-cased.
"""

from __future__ import annotations

import re

GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|dear|morning|good (?:morning|afternoon|evening))\b"
    r"(?:\s+(?:all|both|team|everyone|folks|there|guys|again|(?:dr\.?|prof\.?)\s+)?(?:[A-Z][\w'-]*)?)?\s*[,!:.-]+\s*",
    re.IGNORECASE,
)
SIGN_WORDS = (
    r"(?:many |big |huge )?thanks(?: a lot| again| in advance| so much)?|thank you(?: so much| in advance)?|thx|ta|"
    r"cheers|best(?: wishes| regards)?|(?:kind |warm )?regards|all the best|speak soon|talk soon"
)
NAME = r"(?:(?:dr\.?|prof\.?)\s+)?[A-Z][\w'’-]*\.?(?:\s+[A-Z][\w'’-]*)?(?:\s*\([^)]*\))?"
SIGN_OFF = re.compile(
    r"(?:(?<=[.!?])|\s-|,)?\s*\b(?:" + SIGN_WORDS + r")\b\s*[,!.]*\s*(?:-\s*)?(?:" + NAME + r")?\s*[.!]*\s*$",
    re.IGNORECASE,
)
DASHED_NAME = re.compile(r"\s+-{1,2}\s*" + NAME + r"\s*$")
"""A name signed after a dash ("... please. - Jun", "... check? - K. Lindqvist")."""
BARE_NAME = re.compile(r"(?<=[.!?])\s+[A-Z][a-z]+\s*$")
"""A name signed alone after the last sentence ("... 19 mrad please. Sam")."""
NOT_NAMES = {"Now", "Please", "Again", "Thanks", "Done", "Twice", "Both", "Quickly", "Next", "Then", "Go", "Stop"}
SUBJECT = re.compile(r"^\s*(?:re|fw|fwd|subject)\s*:\s*(.+?)(?:\s+-{1,2}\s+|\.\s+)", re.IGNORECASE)
ASIDE = re.compile(r"^\s*(?:p\.?s\.?\s*[-:,]?\s*(?:and\s+)?|(?:i )?hope\b[^.!?]*[.!?]\s*)", re.IGNORECASE)
"""A postscript's mark and a pleasantry said first ("PS - and could you ...", "Hope the conference went well!")."""
FORWARDED = re.compile(
    r"^\s*(?:forwarding|forwarded|fwd?)(?: (?:a )?(?:note|message|request))?\s+(?:from|for)\s+" + NAME + r"\s*[:,-]\s*",
    re.IGNORECASE,
)
DATA_SUBJECT = re.compile(
    r"\b(?:frame|image|topograph\w*|spectrum|spectra|map|scan|series|micrograph|eels|edx|eds|probe current|current|"
    r"field of view|dwell(?: time)?|defocus|high tension|setpoint)\b"
)
"""A subject that names data or a setting: what "it" (or "one") in the body names."""
REPLY = re.compile(
    r"(?<=[.?!])\s+(?:yes|yeah|yep|sure|ok|okay|agreed|right|correct|not quite|not yet|no)\b\s*[,.!:-]*\s*"
    r"(?:(?:please\s+)?(?:do|go ahead with) (?:that|it|so)\s*[,.!-]*\s*)?(?:but\s+|and\s+)?",
    re.IGNORECASE,
)
QUOTED_SETTING = re.compile(
    r"^(?:is |are |was |can we (?:\w+ ){0,3}?)?(?:the )?(field(?: of view)?|dwell(?: time)?|probe current|current|"
    r"defocus|focus|high tension|beta|alpha|tilt|setpoint|pixels?|scan)\b",
    re.IGNORECASE,
)
"""The setting a quoted message is about ("> the field is a bit tight"): what "it" in the reply names."""


def unwrapped(text: str) -> str:
    """``text`` without what an email or a chat message wraps around the request (see the module docstring)."""
    text = text.strip()
    quoted = text.startswith(">")
    text = GREETING.sub("", text.lstrip("> "))
    if subject := SUBJECT.match(text):
        text = GREETING.sub("", text[subject.end() :])
    text = ASIDE.sub("", FORWARDED.sub("", text))
    for pattern in (SIGN_OFF, DASHED_NAME):
        text = pattern.sub("", text)
    if (bare := BARE_NAME.search(text)) and bare.group(0).strip() not in NOT_NAMES:
        text = text[: bare.start()]
    text = text.strip()
    if len(text) > 1 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]  # a forwarded request in quotes
    if subject:
        text = _about(subject.group(1), text)
    if quoted:
        text = _reply(text)
    return text.strip()


def _about(subject: str, body: str) -> str:
    """The body, with "it" and "its" naming the data the subject names (a subject of no data is dropped)."""
    if not DATA_SUBJECT.search(subject.lower()):
        return body
    named = subject.strip()
    if not re.search(r"['’]s\b|^(?:the|this|that|my|our|your|last|latest|newest)\b", named, re.IGNORECASE):
        named = f"the {named}"
    its = r"\bits ((?:[\w-]+ ){0,2}?[\w-]+)(?=\s*[?.,;!]|$|\s+(?:on|in|at|from|please|for)\b)"
    body, count = re.subn(its, rf"the \1 of {named}", body, count=1)
    one = r"\bone\b(?=\s+(?:at|for|on|in|with|from|please|now)\b|\s*[.,;?!]|$)"  # "please record one at (6, 27) nm"
    for pronoun in (r"\bit\b", one):
        if not count:
            body, count = re.subn(pronoun, named, body, count=1)
    return body


def _reply(text: str) -> str:
    """A quoted message and the reply to it, the reply words dropped, "it" in the reply naming what the quote is
    about ("> the field is a bit tight. Agreed - widen it by 90 nm")."""
    reply = REPLY.search(text)
    if reply is None:
        return text
    quote, answer = text[: reply.start()], text[reply.end() :]
    if setting := QUOTED_SETTING.search(quote.strip()):
        answer = re.sub(r"\bit\b", f"the {setting.group(1)}", answer, count=1)
    if not quote.rstrip().endswith("?"):
        return answer  # "> the dwell looks short for the EELS. Agreed - raise it": a remark, the reply asks
    return f"{quote} {answer}"
