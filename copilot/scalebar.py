"""Scale-bar lengths and their labels: one rule for every picture the project draws (previews, UI, overlays).

>>> nice_length_nm(20.0)
2.0
>>> nice_length_nm(2000.0)
200.0
>>> format_length(0.5), format_length(2.0), format_length(1000.0)
('500 pm', '2 nm', '1 µm')
"""

from __future__ import annotations

import math

SCALE_BAR_FRACTION = 0.2
"""A scale bar spans at most this fraction of the field of view."""
_NICE_MANTISSAS = (5.0, 2.0, 1.0)


def nice_length_nm(fov_nm: float, fraction: float = SCALE_BAR_FRACTION) -> float:
    """The longest length of the form {1, 2, 5} x 10^n nm that is at most ``fraction`` of the field of view."""
    if not (math.isfinite(fov_nm) and fov_nm > 0):
        raise ValueError(f"fov_nm must be a positive number, got {fov_nm!r}")
    target = fov_nm * fraction
    decade = 10.0 ** math.floor(math.log10(target))
    for mantissa in _NICE_MANTISSAS:
        if mantissa * decade <= target * (1 + 1e-9):
            return mantissa * decade
    return decade  # unreachable: mantissa 1 always fits


def format_length(length_nm: float) -> str:
    """``500 pm``, ``2 nm``, ``1 µm``: the unit that keeps the number between 1 and 999."""
    if length_nm >= 1000:
        return f"{length_nm / 1000:g} µm"
    if length_nm < 1:
        return f"{length_nm * 1000:g} pm"
    return f"{length_nm:g} nm"
