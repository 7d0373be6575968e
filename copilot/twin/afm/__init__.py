"""Tapping-mode atomic force microscope of the twin: surfaces with ground truth, tip, feedback, force curves.

>>> from copilot.twin.afm import AFM, AFM_SURFACES
>>> sorted(AFM_SURFACES)[0]
'afm_ferroelectric'
"""

from copilot.twin.afm.force import ForceCurve
from copilot.twin.afm.imaging import CHANNEL_UNITS, AFMFrame
from copilot.twin.afm.instrument import AFM
from copilot.twin.afm.state import LIMITS, AFMState, FeedbackSettings, ScanSettings, TipState
from copilot.twin.afm.surfaces import AFM_SURFACES

__all__ = [
    "AFM",
    "AFM_SURFACES",
    "CHANNEL_UNITS",
    "LIMITS",
    "AFMFrame",
    "AFMState",
    "FeedbackSettings",
    "ForceCurve",
    "ScanSettings",
    "TipState",
]
