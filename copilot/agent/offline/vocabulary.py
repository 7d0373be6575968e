"""The words of each request family, as data: what a request asks for (``INTENT_PATTERNS``), what the tools cannot
do (``UNSUPPORTED``) and the detector it names (``DETECTORS``). Patterns read the normalised request (``lexicon``).
"""

from __future__ import annotations

import re

from copilot.agent.offline.places import FROM_DATA

TIME = r"\s*(µs|μs|us|microseconds?|ns|nanoseconds?|ms|milliseconds?)\b"

DETECTOR_NOUN = (
    r"\b(?:a|an|one|another|quick|fast|new|fresh|single|short|clean|low-dose|\d+(?:\.\d+)?\s*(?:nm|µm|um|px))\s+"
    r"(?:(?:quick|fast|new|fresh|single|short|clean|low-dose|\d+(?:\.\d+)?\s*(?:nm|µm|um|px))\s+)*"
    r"(?:haadf|a?bf|adf)\b(?!\s*(?:detector|signal|contrast|mode|collection|channel|imaging))"
)
"""A detector said as the thing to take ("quick BF at 50 nm", "a 1k HAADF", "just a 10 nm HAADF"): an image."""
A_LOOK = r"\b(?:quick|fast|brief|short|first|low-dose) look\b|"
A_LOOK += r"\b(?:have|take) a look\b(?!\s+at\s+(?:the|some|our|this|that)\b)"
"""A quick look ("quick look at 20 nm", "take a look"): an image (a look at a named thing loads or analyses it)."""

TIP_STATE = (
    r"\b(?:is|are) (?:the |my |our )?tip (?:still )?(?:sharp|blunt|damaged|broken|ok|okay|fine|good|healthy|"
    r"intact|clean|contaminated|usable)\b|\bhow (?:sharp|good|healthy) is the tip\b|"
    r"\btip (?:still )?(?:sharp|blunt|ok|okay|fine|good|healthy|intact|usable)\s*\?"
)
"""A question about the tip's state ("is the tip still sharp?", "how worn is the tip"): judged on a new image."""

MISSING_ATOMS = (
    r"\bmissing (?:\w+ )?(?:atoms?|sulph\w*|sulf\w*|oxygens?|columns?|sites?)\b|"
    r"\b(?:an? )?(?:atoms?|columns?) (?:(?:is|are|was|were) )?missing\b"
)
"""Atoms said to be missing ("missing sulphur", "were any atoms missing?"): a defect search, not an atom count."""
TIP_WEAR = (
    r"\bhow (?:blunt|worn) (?:has|is) (?:the |my |our )?tip (?:got|gotten|become|getting)?\b|"
    r"\b(?:what|which) (?:condition|state|shape) is (?:the |my |our )?tip in\b|\btip(?:'s)? condition\b|"
    r"\bhow (?:worn|blunt|used) is (?:the |my |our )?tip\b|\b(?:is|are) (?:the |my |our )?tip (?:still )?worn\b|"
    r"\btip(?:'s)? (?:wear|radius)\b|\bwear (?:of|on) the tip\b|"
    r"\bhow (?:far|much) has the tip (?:scanned|travell?ed)\b|"
    r"\bhas the tip (?:ever )?crashed\b|\bcrash history\b|\btip (?:\w+ )?(?:worn|wearing)\b|"
    r"\bhow much wear\b[^?.,;]{0,25}\btip\b|\btip\b[^?.;]{0,12}\bit is (?:\w+ )?worn\b|"
    r"\b(?:is|are) (?:the |my |our )?(?:afm )?tip (?:still )?"
    r"(?:in (?:good|ok|okay|decent) (?:shape|condition)|ok|okay|good|usable|fit for use|any good)\b|"
    r"\b(?:is|are) it (?:\w+ )?worn(?: out)?\b|\bhow(?:'s| is) (?:the |my |our )?tip (?:doing|holding up|looking)\b|"
    r"^(?:the |my |our )?(?:afm )?tip is (?:still )?(?:good|ok|okay|fine|worn|usable)\b[^.]*\?|"
    r"\btip\b[^?.;]{0,40}\bhow(?:'s| is) it (?:looking|doing|holding up)\b"
)
"""A question about the tip's wear, radius or history ("how worn is the tip?"): get_tip_state answers it, no image."""

DETECTOR_OBJECT = r"\s+(?:the\s+)?(?:haadf|a?bf|adf|annular|eels|eds|edx|x-ray)?\s*(?:detector|camera|spectrometer)s?\b"
"""A detector as the object of a verb ("retract the HAADF detector"): the STEM's, never the AFM tip."""
INTENT_PATTERNS: dict[str, str] = {
    "status": r"\bstatus\b|current (settings|state|setup)|what is loaded|how is the (instrument|microscope)",
    "tip_wear": TIP_WEAR,
    "dose": r"\bdose (used|spent|so far|budget|left)|how much dose|remaining dose",
    "dose_map": r"\bdose (map|distribution)|\b(?:map|picture) of the (?:accumulated |total )?(?:dose|exposure)|"
    r"\baccumulated (?:dose|exposure) map|(where|which (?:parts?|regions?|areas?|patch(?:es)?)).{0,40}\b"
    r"(dosed|exposed|irradiated|electrons|"
    r"exposure|dose|hit)\b|\bwhere the beam (?:has|had|'s) (?:already |previously )?(?:been|gone|scanned|landed)\b",
    "acquisitions": r"\b(?:list|show)(?: me)? (?:the |all |our |my )?(?:last |recent |previous )?"
    r"(?:acquisitions|data sets?|images (?:taken|so far)|frames (?:taken|so far))\b|"
    r"\bwhat (?:have|did) (?:we|you|i) (?:acquired?|recorded?|taken|take)\b|\bwhat data (?:do )?(?:we|i) have\b",
    "list_specimens": r"(list|which|what) (the |of the )?(specimens|samples)|(specimens|samples) (are )?"
    r"(available|can)|\b(sample|specimen) (library|catalogu?e|box|cassette|list|cupboard|cabinet|shelf|drawer)\b|"
    r"\bwhat (?:have|has) (?:we|i|you) got to (?:pick|choose) from\b|\blist of (?:the )?(?:samples|specimens)\b|"
    r"\bamong (?:your|the|its) (?:specimens|samples)\b|\bshow me what (?:you|the twin|it) (?:have|has)\b|"
    r"\bhow many (?:different )?(?:specimens|samples)\b",
    "load": r"\b(load|insert|mount|switch to|put in(?! (?:a )?(?:new|fresh) (?:one|tip|cantilever|probe)))\b|"
    r"\b(swap|exchange|replace) (the |this )?(specimen|sample)",
    "beam": r"\d\s*kv\b|\d\s*(pa|na|ua|µa|fa)\b|\bblank|\bunblank",
    "optics": r"defocus|underfocus|overfocus|astigmat|\bcoma\b",
    "stage": r"\b(move|go|stage|translate|tilt)\b.*(\d\s*(µm|um|μm|°|deg))|\bstage\b",
    "scan": r"\bfov\b|field of view|\d\s*(px|pixels?)\b|\d\s*(x|×)\s*\d|dwell|\d" + TIME,
    "focus": r"auto-?focus|\brefocus|\bfocus (the|on|it|up)|into focus|\bfocus\b(?! (?:quality|score|metric|rating))",
    "acquire": r"\b(acquire|take|grab|record|capture|snap|shoot|collect)\b.*\b(images?|picture|frames?|micrograph|"
    r"scan|series|haadf|abf|bf|adf|bright[- ]?field|dark[- ]?field|z[- ]contrast)\b|"
    r"\b(take|acquire|record|grab|snap|shoot|capture) (it|one)\b(?!\s+(?:force|spectr|eels|eds|edx|curve))|\bacquire\b|"
    r"^\s*image\b(?!\s*(size|rotation|speed|settings?|range))|"
    r"^\s*scan\b(?!\s*(size|rotation|speed|settings?|range|\d|\(|:))|"
    r"\bsurvey|overview|^\s*start wide\b|"
    r"(?:[,;:]\s*|\bthen\s+|\band\s+)(?:an?\s+|one\s+)?(?:haadf|bf|adf|abf)\s+(?:at\s+|of\s+)?\d|"
    r"^\s*(?:one\s+)?(?:frame|image|picture) as (?:is|it is)\b|"
    r"^\s*(?:an? |another |one more )?(?:frame|image|picture) (?:at|with)\b|"
    r"\b(haadf|bf|adf|abf|bright[- ]?field|dark[- ]?field|z[- ]contrast)\b.{0,25}\b(images?|picture|frame|please)\b|"
    r"^\s*(haadf|bf|adf)\b|[;:]\s*(haadf|bf|adf)\b(?!\s+(?:detector|outer|inner|collection|angle))|"
    r"\b(gimme|give (?:me|us)|get (?:me|us)) (a|an|one) (haadf|bf|adf|image|frame)|"
    r"\b(one more|another|new|second|fresh) (image|frame|picture)\b|"
    r"(?:^\s*|[,;:]\s*|\b(?:then|and|please|just|take|want|need)\s+)(?:one|a|a single|1) (?:image|frame|picture|shot)\b"
    r"(?!\s*(?:time|rate|size|takes?|lasts?))|\b(grab|snap|shoot)\s*(it|one)?\s*[.!]?$|"
    r"(then|and|\+|,)\s*(?:an? |one )?(image|haadf|bf|adf|snap|bright[- ]?field|dark[- ]?field)\s*[.!]?$|"
    r"(?:\b(?:then|and)|[,;])\s+(image|scan)\s+(at|with|it|again)\b|"
    r"(?:\b(?:then|and)|[,;])\s+(?:an? |one )?(?:haadf|bf|adf|abf|bright[- ]?field|dark[- ]?field)"
    r"\s+(?:of|at|over)\s+\d|"
    r"\b(and|then)\s+scan\b(?!\s*(size|rotation|speed|rate|settings?|to))|" + DETECTOR_NOUN + "|" + A_LOOK,
    "atoms": r"\batoms?\b|atomic columns?|\bcolumns\b|\b(?:every|each|all the) column\b|"
    r"\bcolumn (?:count|positions?)\b",
    "defects": r"defects?|vacanc|dopants?|impurit|substitution|" + MISSING_ATOMS,
    "lattice": r"lattice|d-?spacing|interplanar|periodicity|unit[- ]cell|"
    r"\b(?:measure|what is|what's) the (?:atomic )?spacing",
    "particles": r"particles?|nanoparticles?|clusters|size distribution|\bblobs\b",
    "spectrum": r"spectrum|spectra|\beels\b|\beds\b|\bedx\b|spectroscop",
    "elements": r"(which|what) elements|identify (the )?elements|composition|chemical make|made of|"
    r"(chemical|elemental) (analysis|identification|id)|\belement id\b|"
    r"\bwhat('s| is) (there|present)\b|"
    r"identify (it|them)\b|\bchemically\b|\bchemistry\b|\bassign (the )?elements\b|\bidentify what'?s\b|"
    r"\b(?:id|list) (the )?elements\b|\b(?:then|and) (?:the |its )?elements\b|"
    r"\btell me what (it|this|that) is\b|\b(?:name|tell (?:me|us|them|the \w+)) (?:the |its )?elements\b|"
    r"\belements\s*\?|\bwhat'?s in (?:it|there|the (?:map|spectrum|si))\b|\bidentify the (?:edges|peaks)\b",
    "survey_zoom": r"most interesting|\bzoom",
    "fft": r"\bfft\b|fourier|diffractogram|power spectrum",
    "denoise": r"denois|noise reduction|(?:clean up|reduce|remove|filter out|get rid of|suppress) (?:the )?noise|"
    r"\b(?:non-?local[- ]means|nl[- _]?means|median|gaussian|wiener)\s+(?:clean[- ]?up|smoothing|filtering)\b|"
    r"\b(?:smooth|filter) (?:the |this |that )?(?:image|frame)\b|\bsmooth (?:it|this|that)\b|"
    r"\b(?:clean|tidy) up\b[^.;]{0,40}\b(?:non-?local|nl[- _]?means|median|gaussian|wiener)\b|"
    r"\b(?:gaussian|median|wiener|nl[- _]means)[- ](?:filter|smooth)|\b(?:gaussian|median|wiener|nl[- _]means) filter|"
    r"\b(?:gaussian|median|wiener|nl[- _]means)(?: filter)? (?:it|them|the (?:image|frame))\b|\bgaussian[- ]blur\b|"
    r"\bnl[- _]?means\b|\bnon-?local[- ]means\b",
    "line_profile": r"line[- ]?profile|intensity (?:profile|trace|line|along)|line scan|\bprofile the intensity\b|"
    r"\bprofile (?:from|between|along|across)\b",
    "drift": r"\bdrift|\bcre(?:ep(?:s|ing)?|pt)\b|\bwander(?:s|ing|ed)?\b|"
    r"how far (?:it|the (?:image|specimen|sample|stage)) (?:has )?(?:moved|shifted)|"
    r"how (?:far|much) did (?:it|things|everything|the (?:image|specimen|sample|stage|picture)) (?:move|shift|go)\b|"
    r"\b(?:whether|if) the (?:sample|specimen|image) (?:is|was) (?:moving|shifting)\b",
    "focus_quality": r"focus (?:quality|score|metric|rating)|sharpness|how sharp|how crisp|is it in focus|"
    r"check (the )?focus|\bcompare (?:the |their )?(?:focus|sharpness)\b|"
    r"\b(?:rate|score|grade|judge) (?:the |its )?(?:focus|sharpness)\b|"
    r"is (it|the image) sharp|\b(?:was|is) it (?:actually |really |properly )?in focus\b|"
    r"\bis (?:my|the|this|that|our) (?:[\w-]+ )?(?:image|frame|picture) sharp\b|"
    r"how well (?:focused|in focus)|\bscore (?:both|each|them)\b|\b(?:sharper|crisper)\b|\bsharp enough\b|"
    r"\b(?:frame|image|shot)\b[^,;.?]{0,20}\b(?:actually |really |properly )?in focus\b(?=[^.]*\?)|\bfocused or\b|"
    r"\b(?:it is|is it) (?:\w+ )?focused\b|"
    r"^\s*(?:is|was|are|were)\b[^,;.]{0,60}\b(?:in focus|focused|sharp)\s*(?:\?|$|or not\b)",
    "export": r"\bexport|save (the |it|this |that )?(last |previous |new )?\s*(data|image|acquisition|frame)|"
    r"\bsave (it|this|that|them) (as|to|in)\b|"
    r"\btiff?\b|\bhdf5\b|\bpng\b|\bwrite\b.{0,40}?\b(?:out|to (?:disk|file))\b",
    "afm_approach": r"\bapproach\b|\bengage\b|land the tip|\bland (?:it )?again\b|\bre-?land\b",
    "afm_withdraw": r"(?:withdraw|\bretract\b)(?!" + DETECTOR_OBJECT + r")|lift the tip|disengage|"
    r"\b(pull|lift|raise|draw|move|take|bring) (the )?(tip|cantilever) (back|up|away|off|out)\b",
    "afm_image": r"\bafm (image|topograph)|\b(?:an?|one|new|another) afm frame|topograph|height (image|map)|"
    r"phase channel|"
    r"\b(?:tapping|contact)[- ]mode (?:image|scan|frame|topograph)|\b(?:image|scan) in (?:tapping|contact) mode|"
    r"\b(height|phase|amplitude) (and \w+ )?(images?|maps?)\b",
    "image_any": r"\bimage (it|the \w+)\b|re-?image|image again|\bre-?scan\b",
    "roughness": r"\brough(?!ly\b)|\brms\b|\brq\b",
    "step_height": r"step height|terrace|atomic steps?|\bsteps? of\b|how (?:tall|high) (?:are )?the (?:terraces|steps)|"
    r"\bheight of the (?:steps|terraces)\b",
    "force_curve": r"force[- ]?(curve|distance|spectroscop)|adhesion|\bf-?d curve|\bindent\b|\bforce vs\.? distance\b|"
    r"\bpush on the surface\b",
    "change_tip": r"(change|replace|swap|new) (the |a )?(afm |double )?(tip|cantilever|probe)|"
    r"\b(?:fit|put|mount|install|pop|stick) (?:in |on )?(?:a |in a )?(?:new|fresh) (?:one|tip|cantilever|probe)\b|"
    r"\btip\b.*\b(change|replace|swap) it\b",
    "tip_check": r"tip (artifact|artefact|check|condition|state|shape|quality|health)|double[- ]tip|" + TIP_STATE + "|"
    r"\bcheck (?:it |the image )?for (?:tip )?(?:artefacts|artifacts)\b|"
    r"\btip\b.{0,20}\bdoubl\w*|blunt|check (the|whether the|if the) tip|\b(?:artefacts|artifacts) of the tip\b|"
    r"\b(?:does|is|did) the tip (?:make|making|cause|causing|leave|leaving|add|adding) (?:any )?"
    r"(?:artefacts|artifacts)\b",
    "grating": r"pitch|\bdepth\b|how deep|grating (period|spacing)|calibrate the scanner|line spacing of the grating|"
    r"\bperiod of the (?:calibration )?grating|grating\b[^.;]{0,40}\bperiod\b|\bperiod\b[^.;]{0,40}\bgrating\b",
    "afm_context": r"\bafm\b|\btip\b|cantilever|raster|line rate|\d\s*hz\b|setpoint",
    "domains": r"(?<!magnetic )domains?|minority (?:phase|polymer|component)|area fraction|phase fraction|"
    r"phase coverage|area coverage|"
    r"fraction of the (?:film|blend|surface) is|\beach polymer\b|"
    r"\bhow much (?:of the )?(?:area|surface) (?:each|every|the) (?:phase|component) (?:covers|takes up|occupies)\b|"
    r"\bhow much (?:of )?(?:each|either|every) (?:phase|polymer|component)\b",
    "tallest": r"tallest|how tall(?! (?:are )?the (?:terraces|steps))|maximum (particle )?height|"
    r"highest (particle|feature)",
    "feedback_tune": r"feedback|\bgains?\b|trace and retrace|"
    r"(?<!from the )(?<!on the )(?<!in the )(?<!of the )(?<!using the )(?<!with the )retrace"
    r"(?! (?:direction|channel|image|line|side|data)\b)",
    "astig": r"astigmat|\bastig\b",
    "plane_level": r"plane[- ]level|level(ling)? the\b(?! (?:specimen )?(?:holder|stage|tilts?))|flatten|plane[- ]?fit|"
    r"\b(?:remove|subtract|take out) the (?:background )?(?:tilt|slope|plane)" + FROM_DATA + "|"
    r"\btake (?:the )?(?:tilt|slope) out of\b|\blevel (?:it|them)\b|\bsubtract a plane\b|\bplane[- ]subtract",
}
RATED = r"[^.;]*\b(?:rated|good|using|used|is|are|was)\b"
"""A holder said as context ("the cryo-transfer holder is only rated to 165 kV"), not as a request to use it."""
UNSUPPORTED: dict[str, str] = {
    r"\b(heat(?!ing (?:holder|stage)\b" + RATED + r")|cool(?!ing water)|(?<!with )temperature|"
    r"cryo(?![- ]?(?:em|electron)\b)(?![- ]transfer (?:holder|stage)\b" + RATED + r")|anneal)": (
        "change the specimen temperature (no heating or cryo holder)"
    ),
    r"tomograph|tilt series|3d reconstruct|reconstruct\w*\b.{0,30}\b(3d|3-d|three[- ]dimension)|\bin 3d\b": "record a "
    "tomography tilt series",
    r"hologra": "do electron holography",
    r"\b(?:infra-?red|ir spectr\w*|ftir|raman|uv-?vis\w*|xps|x-ray photoelectron|nmr|mass spec\w*)\b": (
        "record infrared, Raman, UV-vis, XPS, NMR or mass spectra (the twin records EELS and EDX spectra)"
    ),
    r"\blorentz\b|\bmagnetic (?:domains?|contrast|imaging|induction)\b": (
        "image magnetic domains (no Lorentz mode or magnetic contrast on the twin)"
    ),
    r"\b(mfm|kpfm|efm|c-?afm|magnetic force|kelvin probe|electrostatic force|conductive afm)": (
        "run MFM, KPFM, EFM or conductive AFM (the AFM records height, phase and the PFM channels in tapping mode)"
    ),
    r"\b(?:conductive|conducting) tip\b|\bcurrent map\b": (
        "map the current with a conductive tip (the AFM records height and phase in tapping mode)"
    ),
    r"\b(?:lateral[- ]force|friction(?:al)?[- ]force|lfm)\b|"
    r"\b(?:switch|change|go|move|put it)\b[^.;]{0,15}\bcontact mode\b": (
        "run contact mode or lateral-force microscopy (the AFM images in tapping mode)"
    ),
    r"\b(cbed|diffraction pattern|4d-?stem|ronchigram|camera length)": "record diffraction patterns or Ronchigrams "
    "(no diffraction camera on the twin)",
    r"\b(?:i?dpc|differential phase contrast)\b": "record DPC or iDPC images (the twin has HAADF and BF detectors)",
    r"\bspot size\b": "set a spot size (set the probe current and the convergence semi-angle instead)",
    r"\b(eftem|energy[- ]filtered)": "record energy-filtered images (EELS is taken as spectra and spectrum images)",
    r"\b(gas|liquid cell|in[- ]situ|bias(ing)? holder)(?! (?:holder |chip )?(?:is|are)\b)": "run in-situ experiments",
    r"\b(?:send|write|forward|answer|reply to)\b[^.;]{0,20}\b(?:e-?mails?|messages?|letters?)\b|"
    r"\be-?mail (?:the|him|her|them|me|us|my|our|a|an|it)\b|"
    r"\b(internet|web|weather|buy)\b|\border (?:more|new|a|an|some)\b": "do anything outside the microscope",
    r"\b(vent|pump down|open the column|bake)": "service the column (venting, pumping or baking)",
    r"\bcold[- ]?finger\b|\banti-?contaminator\b|\bcryo-?shield\b": "insert or cool an anticontaminator (cold finger)",
    r"\b(?:(?:column |gun )?vacuum|emission current|gun emission|extraction voltage|chiller|"
    r"(?:cold[- ]?feg |tip |gun )flash|flash(?:ing)? the (?:cold )?(?:tip|gun|feg|emitter))\b": (
        "read or change the vacuum, the gun's emission or flashing, or the chiller (the twin models the beam, optics, "
        "scan, stage and detectors)"
    ),
    r"\b(?:retract|insert|withdraw|pull out|put in)" + DETECTOR_OBJECT: "retract or insert a detector (the detectors "
    "stay in: set_detectors sets their collection angles, acquire_image picks the one to read)",
}


DETECTORS = {
    "ABF": r"\babf\b|annular bright[- ]?field",
    "BF": r"\bbright[- ]?field\b|\bbf\b",
    "HAADF": r"\bdark[- ]?field\b|\b(ha)?adf\b|\bz[- ]contrast\b",
}
"""The detector a request names, by the words microscopists use for it; ABF is named as asked (the twin has no ABF
detector, and the answer says so instead of taking another image)."""


def detector(low: str) -> str | None:
    """The first detector the request names, or None."""
    found = [(m.start(), name) for name, pattern in DETECTORS.items() if (m := re.search(pattern, low))]
    return min(found)[1] if found else None


INSPECT_PATTERN = (
    r"anything( \w+)? (unusual|odd|strange|abnormal|wrong|special|weird|off)\b|"
    r"\b(unusual|abnormal|anomal\w*|weird|odd|strange)\b|"
    r"what do you see|\binspect\b|look for (anything|problems|issues)|(any|spot) (problems|issues|anomalies)"
)
"""An open-ended look at an image, naming no analysis."""
TIME_TO_S = {"s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0, "min": 60.0, "mins": 60.0}
TIME_TO_S |= {"minute": 60.0, "minutes": 60.0}
INTERVAL = r"(?:over|for|across|during|in|after|within|interval of|apart by|every)\s*(?:a|an|the)?\s*"
INTERVAL += r"(\d+(?:\.\d+)?)\s*(s|secs?|seconds?|mins?|minutes?)\b"
"""The time a drift check is asked to span ("over 10 seconds", "for 2 min")."""


def requested_interval_s(low: str) -> float | None:
    """The time a drift check is asked to span, in seconds."""
    found = re.search(INTERVAL, low)
    return float(found.group(1)) * TIME_TO_S[found.group(2)] if found else None


COUNT_ANY = (
    r"(?<!pixel )\bcount (them|it|those|these|everything|what you see|what'?s there)\b(?!['’])|"
    r"^\s*(please\s+)?count\s*(please)?\s*[.!?]*$|(?:\band|,|;|\bthen)\s+count\s*(please)?\s*[.!?]*$|"
    r"\bhow many (are there|of them|can you see|do you see)\s*[.!?]*$"
)
"""A count that names nothing to count: atoms at atomic scale, particles on a survey (``recipes``)."""
AFM_WORDS = (
    r"\bafm\b|\btip\b|cantilever|\bapproach|\bengag|\bwithdraw|\bretract|topograph|setpoint|tapping|contact mode|"
    r"force[- ]?(curve|distance)|line rate|\d\s*hz\b|\bphase (image|channel|map)"
)
STEM_WORDS = (
    r"\bstem\b|auto-?focus|\brefocus|defocus|underfocus|overfocus|\bhaadf\b|\ba?bf\b|\badf\b|bright[- ]?field|"
    r"dark[- ]?field|z[- ]contrast|\beels\b|\beds\b|\bedx\b|\d\s*kv\b|high tension|\bprobe current|beam current|"
    r"\bblank|\bunblank|astigmat|\bcoma\b|convergence|\bdwell|\bdose\b|electron|field of view|\bfov\b|micrograph|"
    r"\bfocus|\bstage\b|\bzoom|per pixel|\d\s*(µs|us|ns)\b|\d\s*(å|angstroms?)\b"
)
"""Words only one instrument's tools answer to: a request naming them (even in a negated clause, as in "don't
approach, just set the scan") is meant for that instrument."""


def instruments_named(whole: str) -> set[str]:
    """Every instrument whose own words the whole normalised request uses."""
    return {name for name, words in (("AFM", AFM_WORDS), ("STEM", STEM_WORDS)) if re.search(words, whole)}


def instrument_named(whole: str) -> str | None:
    """ "STEM" or "AFM" when the whole normalised request names only that instrument's things, else None."""
    afm, stem = bool(re.search(AFM_WORDS, whole)), bool(re.search(STEM_WORDS, whole))
    return "AFM" if afm and not stem else "STEM" if stem and not afm else None
