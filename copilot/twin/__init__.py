"""The digital twin: specimens with ground truth and the physics of STEM and AFM (pure numpy, no I/O)."""

from copilot.twin.microscope import Microscope
from copilot.twin.results import Atoms, AutofocusResult, DoseMap, ImageFrame, Spectrum, SpectrumImage
from copilot.twin.specimens import STEM_SPECIMENS
from copilot.twin.state import InstrumentState

__all__ = [
    "STEM_SPECIMENS",
    "Atoms",
    "AutofocusResult",
    "DoseMap",
    "ImageFrame",
    "InstrumentState",
    "Microscope",
    "Spectrum",
    "SpectrumImage",
]
