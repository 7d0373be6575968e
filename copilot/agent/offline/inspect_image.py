"""Open-ended inspection: "take an image and tell me if there is anything unusual".

What "unusual" means depends on the scale of the image: at atomic scale (a field of view of at most
``ATOMIC_FOV_NM``) it is a defect of the crystal (``detect_defects``: vacancies, substitutions, interstitials); in
a survey field of view it is the particles or islands on the support (``segment_particles``: how many, how big).
The choice is made from the field of view of the image just taken.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from copilot.agent.offline.outcomes import Outcome, current_fov_nm
from copilot.agent.offline.steps import Step, on_last_image

ATOMIC_FOV_NM = 50.0
"""Up to this field of view a frame resolves atomic columns well enough for detect_defects."""
INSPECT_PATTERN = (
    r"anything( \w+)? (unusual|odd|strange|abnormal|wrong|special|weird|off)\b|"
    r"\b(unusual|abnormal|anomal\w*|weird|odd|strange)\b|"
    r"what do you see|\binspect\b|look for (anything|problems|issues)|(any|spot) (problems|issues|anomalies)"
)


def asks_to_inspect(low: str) -> bool:
    """Whether the request asks, without naming an analysis, whether the image shows anything unusual."""
    return bool(re.search(INSPECT_PATTERN, low))


def atomic_scale(outcomes: Sequence[Outcome]) -> bool:
    """The newest field of view resolves atoms (see ``ATOMIC_FOV_NM``)."""
    fov_nm = current_fov_nm(outcomes)
    return fov_nm is not None and fov_nm <= ATOMIC_FOV_NM


def inspection_steps() -> list[Step]:
    """detect_defects on an atomic-scale image, segment_particles on a survey; a failure is noted, not fatal."""
    return [
        Step("detect_defects", on_last_image, optional=True, when=atomic_scale),
        Step("segment_particles", on_last_image, optional=True, when=lambda outcomes: not atomic_scale(outcomes)),
    ]
