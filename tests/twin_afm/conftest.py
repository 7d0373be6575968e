"""AFM tool tests start their session on an AFM surface."""

from __future__ import annotations

import pytest


@pytest.fixture
def specimen() -> str:
    return "afm_nanoparticles"
