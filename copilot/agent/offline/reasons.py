"""Why a request asks for something, or what it is compared with, said around what it asks: read as context, never
as more to do. "so the light atoms show up", "4 µm field, it's for a survey", "2 nA for faster EDX", "zoom out 15x,
lost the particle", "the sheet says that gives a less noisy picture", "why does the picture look so grainy?",
"they used 25 pA", "the tip looks blunt", "in STM we'd call it background subtraction", "running over to the FIB
for 10 min", "while I talk about the STEM side", "beam off for a minute, I'm changing the cooling water"
(``PURPOSE``), and a purpose said first ("To check whether the dopants cluster, grab a 9 nm frame ...",
``PURPOSE_LEAD``)."""

from __future__ import annotations

REST = r"(?:[^.;?!]|(?<=\d)\.(?=\d))*"
"""The rest of a sentence (a decimal point does not end it)."""
REASONS = (
    # a result the setting is for
    r"\bso (?:that )?[^,;.!?]{0,40}?\b(?:shows? up|are visible|is visible|becomes? visible|stands? out|"
    r"come out|comes out|pop out|pops out)\b",
    r"\bso (?:that )?(?:[a-z]+ )?(?:can|could|will|may) (?:see|look at|watch|study)\b[^,;.!?]*",
    r"\bso (?:that )?[^,;.!?]{0,40}?\b(?:runs?|lies?|sits?|points?|goes) (?:straight |exactly )?"
    r"(?:up|down|across|along|vertical\w*|horizontal\w*|parallel|level)\b[^,;.!?]*",  # "so the boundary runs up"
    r"\bso (?:that )?(?:[a-z]+ ){0,2}(?:can|could|will|may) (?:take (?:it|them|one) (?:home|with)|keep|share|show|use|"
    r"have|send|print)\b[^,;.!?]*",
    r"\bor did the (?:focus|image|sample|stage|beam) (?:wander|drift|move|shift)\w*(?: off)?(?: again)?\b",
    r"\bso (?:that )?[^,;.!?]{0,40}?\b(?:fill|fills|filling|fit|fits|fitting|cover|covers|covering|take up|takes up) "
    r"(?:more of |all of |most of |the whole )?(?:the )?(?:frame|field|image|picture|view|screen)\b",
    r"(?:(?<=[,;] )(?:it'?s|it is|this is|i want|we want|i'?d like|for)|(?<=times )for|(?<=fold )for|(?<=\dx )for) "
    r"(?:an?|the) (?:survey|overview)(?: first)?\b",
    r"(?<=[a-z0-9] )for (?:the|an?|our|my) (?:survey|overview)(?=\s*(?:[.,;!?]|$|please\b))",  # "... for the overview"
    r"\bfor (?:an? |the )?(?:faster|quicker|quick|better|stronger|cleaner) (?:eels|eds|edx)\b"
    r"(?: (?:signal|counts|spectra|spectrum|maps?))?",
    r"\bso (?:that )?(?:the )?(?:eels|eds|edx) (?:counts?|signal)\b[^,;.!?]*",
    r"\b(?:the |our |their )?(?:supplier|vendor|customer|manufacturer|datasheet|data sheet|certificate|textbook|"
    r"literature|handbook|reference)\s+"
    r"(?:claims?|quotes?|states?|says|said|specifies|specify|lists?|gives?)\b" + REST,
    r"\b(?:or )?(?:should|shall) (?:i|we) (?:put in|place|make|send) an order\b[^.;!?]*",
    r"\b(?:she|he|they|i|we) wants? (?:the |to see the )?[^,.;]{0,40}?\b"
    r"(?:to stand out|to show up|to pop out|visible|in view|in (?:the )?(?:frame|field|picture|image))\b"
    r"(?: for (?:the|my|our|this) [\w -]{1,30})?",
    # what happened, or what someone says or asks why
    r"(?<=[,;.?!] )(?:but |and |as |since |because )?(?:(?:i|we)(?:'ve| have)? )?(?:lost|can'?t find|cannot find) "
    r"(?:the |my |our |it\b|that\b)[^,;.!?]*",
    r"\b(?:says|said|explains?|claims?) (?:that )?(?:it|this|that|an? [\w-]+|the [\w-]+(?: [\w-]+){0,2}) "
    r"(?:gives|give|sets|set|makes|controls|control|means|is|are|helps|improves|reduces|increases|decides|"
    r"determines|taps|shows)\b" + REST,
    r"\bwhy (?:does|do|is|are|did|was|were)\b[^?]*\?",
    r"\b(?:the )?tip (?:looks|seems|is|has got|got|feels|has gone|went|has become|became|is getting) (?:\w+ )?"
    r"(?:blunt|worn|dull|damaged|dirty|broken)\b"
    r"[^,:;.!?]*",
    r"^\s*for (?:the|our|my|a|this) (?:[\w'-]+ ){0,2}(?:series|figure|paper|report|talk|poster|project|study|"
    r"comparison|test)\b",
    r"\b(?:the |this |that |our )?(?:\w+ )?(?:image|frame|picture|topograph|it) (?:looked|looks|seemed|seems) "
    r"(?:a bit |rather |quite |very )?(?:soft|blurry|blurred|fuzzy|noisy|grainy|out of focus)\b[^,;.!?]*",
    r"\b(?:while|whilst|as) (?:i|we) (?:talk|explain|chat|answer|present|describe|go over|walk|take|study|look at|"
    r"check|read|think|choose|inspect|decide|review)\b[^,;.!?]*",
    r"(?<=[,;] )(?:i'?m |we'?re |i am |we are )?(?:running|going|heading|popping|nipping|off) "
    r"(?:over |out |back |down )?(?:to|for)\b[^,;.!?]*",
    r"\b(?:[\w-]+ )?(?:images?|pictures?|frames?|samples?|specimens?|things) (?:drifts?|creeps?|wanders?|moves?) "
    r"with (?:the )?(?:temperature|time|heat|heating)\b",
    r"\b(?:we|i|they|people|you)(?:'d| would| usually| normally| just| always| often| also)*\s+call (?:it|this|that)\b"
    r"[^,;.!?]*?(?=\s+-\s|[,;.!?]|$)",
    r"(?:(?<=[,;] )|(?<=\s-\s))(?:that'?s|that is|this is) (?:where|eucentric|the (?:height|place|spot|area|region|"
    r"position)\b)"
    r"[^,;.!?]*",
    r"(?:(?<=[,;] )|(?<=\s-\s))(?:the )?(?:(?:service |field )?engineer|technician|tech|vendor|someone|somebody|he|she|"
    r"they)(?: has| have)?(?: already| just)? (?:set|did|adjusted|aligned|tuned|corrected|focused)\b[^,;.!?]*",
    r"^[\w -]{0,30}?\b(?:values|settings|parameters|numbers) for (?:the|a|an|our|my) (?:[\w-]+ ){0,2}"
    r"(?:scan|image|frame|survey|overview|map)s?\s*:",
    r"^[\w -]{0,30}?\b(?:survey|overview|imaging|image|scan|frame|map)\s+(?:settings|values|parameters|set-?up)"
    r"(?: (?:from|of|for|in) [\w' -]{1,40}?)?\s*:",
    r"^\s*(?:for (?:the |a )?)?(?:[\w-]+ )?(?:survey|overview)(?: frame| image| scan)?"
    r"(?: (?:for|of) [\w' -]{1,40}?)?\s*:"
    r"(?=\s*(?:an? )?[-+]?\d)",
    r"(?:^|(?<=[.?!;,] )|(?<=\s-\s))(?:since |because |as )?(?:the|this|that|our|my|these|those) (?:[\w'-]+ ){0,3}?"
    r"(?:looks?|seems?|feels?|appears?) (?:(?:a bit|rather|quite|very|really|so|too|still|a little|slightly|kind of) )?"
    r"[a-z-]+(?: as (?:it|they) (?:is|are)| now| again| to me)?(?=\s*(?:[,;.!?]|$|\s-\s|\s+so\b))",
    r"\b(?:would|will|should|could|might) (?:settle|answer|resolve|end|decide) (?:our|the|this|that|an?) "
    r"(?:argument|debate|question|dispute|bet)\b",
    r"(?<=[.?!;] )(?:i|we)(?:'d| would) (?:like|love|want) to see (?:the )?(?:[\w-]+ )?"
    r"(?:terraces|steps|step edges|grains|domains|particles|atoms|fringes|contrast|lattice)\b[^.;!?]*",
    r"(?:^|(?<=[.?!;,] )|(?<=\s-\s))(?:the |its |their )?(?:[\w'-]+ ){0,3}?(?:is|are) (?:just |still |now )?"
    r"(?:outside|out of|off|clipped (?:at|by)|cut off (?:at|by)) (?:the )?(?:frame|view|field|image)(?: edges?)?\b",
    r"\b(?:the |our |some )?(?:[\w-]+ ){1,3}?(?:seems?|appears?) to (?:sit|be|lie|cluster)\b(?= (?:near|at|around|by))",
    r"(?<=[;,] )(?:i|we)(?:'d| would) (?:expect|guess|estimate)\b" + REST,  # "; I'd expect about 1,500 of them"
    r"(?<=\s-\s)(?:it|they|the edge|the peak|the onset) (?:ought to|should|must|will|would) "
    r"(?:sit|be|lie|appear|show up|come) (?:near|at|around|close to)\b" + REST,  # "- it ought to sit near 165 eV"
    r"\b(?:the )?tip has had it\b(?: after [^:;.!?]*)?",
    r"\b(?:my|our|the) (?:slot|session|booking|time) (?:ends|is over|finishes|runs out)\b[^.;!?]*",
    r"\bafter (?:the |my |our |all )?(?:[\w']+ ){0,2}(?:\d+|many|all|those|these) (?:scans|images|frames|demos|runs)\b",
    r"(?:^|(?<=[.?!;] ))(?:the|this|that|our|my|their|its) (?:[\w'-]+ ){0,3}?(?:is|are|looks?|seems?) "
    r"(?:(?:very|really|quite|so|a bit|rather|pretty|too|still) )?[a-z]+ (?:on (?:my|the) screen|in (?:the|this) "
    r"(?:frame|image|view))(?=\s*(?:[.!;?]|$))",  # "the vacancy is teeny on my screen"
    r"\b(?:we|i) (?:suspect|think|fear|believe|guess|reckon) (?:that )?(?:the |our )?[\w -]{0,30}?\b(?:is|are|has been|"
    r"have been|was|were) (?:creeping|drifting|moving|wandering|charging|shifting)\b",
    r"^\s*for (?:the|our|a|my) (?:[\w-]+ ){0,2}(?:survey|overview)(?: frame| image| scan)?\s+"
    r"(?=(?:it|i|we|maybe|perhaps|let'?s)\b)",  # "for the survey it might be worth going to a 3.4 µm field"
    r"^\s*for (?:the|our|a|my) (?:[\w-]+ ){0,2}(?:maps?|series|images?|frames?)\s+"
    r"(?=(?:i|we)(?:'d| would)? (?:need|want|like)\b)",  # "for the grid-square map I need a 6.4 µm field"
    r"(?<=[;,] )(?:i|we) want (?:[\w]+[- ])?contrast\b[^.;!?]*",
    r"(?<=[a-z0-9] )for (?:[\w-]+ ){0,2}contrast\b",
    r"(?<=[a-z0-9] )for (?:the|a|our|my|this) (?:[\w-]+ ){0,3}(?:study|project|report|review|paper|customer|audit|"
    r"distribution)\b",
    r"\bfor the (?:[\w-]+ )?(?:rough|smooth|soft|hard|sticky|thin|thick) (?:coating|film|sample|surface|specimen)\b",
    r"(?<=\s-\s)(?:the |my |our )?[^,;.!?]{0,40}?\b(?:has |have |is |are )?(?:slipped|moved|drifted|gone|wandered) "
    r"out of (?:the )?(?:view|frame|field)\b",  # said first, it is a purpose said first (PURPOSE_LEAD)
    r"(?<=\s-\s)(?:[\w-]+ ){0,2}for (?:[\w-]+ ){0,3}(?:images?|frames?|imaging|maps?|spectra|work|analysis)\b[^.;!?]*",
    r"(?<=\s-\s)(?:the|this|that|our|my|their|its) (?:[\w'-]+ ){0,4}?(?:is|are|was|were|looks?|seems?) "
    r"(?:(?:very|really|quite|so|a bit|rather|pretty|too|still) )?[a-z]+(?=\s*(?:[.!;]|$))",
    r"(?<=\s-\s)(?:the|this|that|our|my|their|its) (?:[\w'-]+ ){0,4}?(?:badly |really |urgently )?needs? "
    r"(?:checking|a check|verifying|confirming|calibrating|redoing)\b",
    r"\bso (?:that )?[^,;.!?]{0,40}?\b(?:is|are|sits|stays|fits) in (?:the )?(?:frame|field|view|image|picture)\b",
    r"\bon top of (?:whatever|what) (?:it'?s|its|it is|they are|they're) (?:at|set to|now)\b",
    r"\bcan'?t (?:tell|see|make out) (?:what'?s|what is|anything)\b[^,;.!?]*",
    r"\bfor (?:the|a|our|my) (?:[\w-]+ ){0,2}(?:bf|haadf|adf|bright[- ]field|dark[- ]field|imaging|images|frames|maps|"
    r"spectra|eels|eds|edx)(?=\s*(?:[.,;!?]|$))",
    r"(?:(?<=[,;] )|(?<=\s-\s))there(?:'s| is| are)\b[^,;.!?]*\b(?:there|here|on the (?:overview|survey|"
    r"(?:optical )?map))\b",
    r"(?:(?<=; )|(?<=, ))(?:(?:the|it|this|that)\b)?[^,;.!?]{0,40}?\b(?:is|are|gets|was)\b "
    r"(?:easier|better|simpler|nicer|worse|harder|safer|quicker|faster)\b[^,;.!?]*",
    r"\b(?:the )?(?:spectrometer|detector|eels|edx|eds)\b (?:should|must|needs to|has to|will) "
    r"(?:collect|accept|take)\b[^;.!?]*?(?=\s-\s|[;.!?]|$)",
    r"(?<=[,;] )(?:we|i)(?:'ll| will)? (?:calibrate|compare|check|match)\b(?=[^.;!?]*\bagainst\b)" + REST,
    r"\bfrom what (?:the (?:scan|beam|stem|afm|instrument|microscope)|it|they|we) (?:uses?|has|have|is using|"
    r"is set to|reads?)(?: at the moment| now| right now| at present)?",  # the value a change starts from
    r"\b(?:it|this|that) (?:waits|has to wait|must wait|can wait|is waiting) (?:until|till|for)\b[^.;!?]*",
    r"\bno (?:electrons?|beam|dose|exposure) (?:needed|involved|required|used)\b(?: for (?:this|that|it)(?: one)?)?",
    r"\b(?:eventually|later on|next week|tomorrow|some day|at some point),? (?:i|we)(?:'ll| will| would| might)? "
    r"(?:need|want|like|do|have to)\b[^.;!?]*",  # a later plan, asked for nothing now
    r"(?<=blank the beam )for (?:\d+|a few|a couple of) (?:minutes?|mins?|moments?|seconds?|secs?)\b",
    r"(?<=[,;] )(?:i'?m|we'?re|i am|we are) (?:changing|swapping|refilling|topping up|fixing) (?:the )?[\w -]{1,30}",
    # what it is compared with: a paper, another group's settings
    r"\b(?:i am|i'm|we are|we're) comparing\b" + REST,
    r"\bcompared (?:with|to) (?:their|the paper'?s?|the published)\b[^,:.;?!]*",
    r"\bto match (?:their|the paper'?s?|the published|his|her|that)\b[^,.;?!]*",
    r"\b(?:they|the authors|theirs)\b (?:used|was|were|had|ran|recorded|acquired|collected|chose)\b" + REST,
    r"\bin (?:the|their) paper\b",
    r"\b(?:the|their|our) (?:paper|authors|protocol|reference|study|article|preprint)\s+(?:reports?|quotes?|says|"
    r"states|found|finds|gives|shows|replaced|used|recommends?|mentions?|notes?|never)\b" + REST,
    r"\btheir (?:[\w-]+ ){1,3}(?:was|were)\b" + REST,
    r"(?<=[,;] )(?:the )?(?:closest|nearest|best) match (?:to|for)\b" + REST,
    r",?\s*\bfor (?:a )?comparison (?:with|to|against)\b[^,;.!?]*",
    r"\bfor the (?:[\w-]+ ){1,2}(?:part|section|half|bit|portion) of (?:the |our |their |this )?[\w-]+\b",
    r"\s*\((?:they|the authors|their|as in|like in|see|cf\.?|e\.g\.|my|our|just|the paper)\b[^)]*\)",
    r"(?<=[,;] )(?:i|we) (?:need|want|have) to find (?:a|an|the) (?:region|area|spot|place|field)\b" + REST,
)
PURPOSE = "|".join(REASONS)
"""Any of ``REASONS``: cut before the request's intents are read."""
PURPOSE_LEAD = (
    r"^\s*(?:(?:in order )?to (?:check|see|find out|test|confirm|judge|tell|learn) (?:whether|if|how|what)|"
    r"for (?:better|more|higher|stronger|cleaner|a (?:better|cleaner|sharper))|because|since|"
    r"for (?:our|the|a|my|your) (?:[\w'-]+ ){0,2}(?:look|check|test|demo|visit|session|spectra|spectrum|maps?|survey|"
    r"overview)\b|"
    r"(?:an?|the|my|our|his|her|their) [\w-]+ (?:wants?|needs?|likes?|prefers?)\b(?=[^,;:]*[,;:]\s*so\b))\b"
    r"[^,;:]*[,;:]"
)
"""A purpose said first ("To check whether the dopants cluster, grab a 9 nm frame ...", "for our visitor's first
look, mount the STO", "A chemist wants heavy atoms bright, so set ..."): why, not what to do."""
