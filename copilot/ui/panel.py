"""The live instrument panel: the latest image (scale bar, FOV) or spectrum, the dose budget as a bar, the
specimen and seed, the simulated clock and the beam/optics/scan/stage settings. It holds no widgets, so it can be
redrawn in place after every tool result of a turn.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from copilot.ui.acquisitions import AcquisitionView, ImageView, SpectrumView
from copilot.ui.charts import line_profile_spec, spectrum_spec
from copilot.ui.status_view import clock_s, dose_usage, setting_groups, specimen_line
from copilot.ui.summaries import format_value


def render_view(view: AcquisitionView) -> None:
    """An image with its caption (and AFM line profile), or a spectrum chart with its edges."""
    if isinstance(view, ImageView):
        st.image(view.png, caption=view.caption)
        if view.profiles and view.profile_axis_nm is not None:
            st.vega_lite_chart(spec=line_profile_spec(view.profile_axis_nm, view.profiles, title="middle line"))
    elif isinstance(view, SpectrumView):
        spec = spectrum_spec(view.energy_eV, view.counts, view.edges_eV, title=view.caption)
        st.vega_lite_chart(spec=spec)


def render_settings(status: Mapping[str, Any]) -> None:
    groups = setting_groups(status)
    if not groups:
        return
    tabs = st.tabs(list(groups))
    for tab, rows in zip(tabs, groups.values(), strict=True):
        with tab:
            table = "\n".join(f"| {name} | {value} |" for name, value in rows)
            st.markdown(f"| setting | value |\n|---|---|\n{table}")


def render_panel(status: Mapping[str, Any], view: AcquisitionView | None) -> None:
    """The whole panel from a status dict and the latest acquisition view."""
    st.subheader("Instrument")
    left, right = st.columns(2)
    left.metric("Specimen", str(status.get("specimen") or "none"))
    clock = clock_s(status)
    right.metric("Instrument clock", f"{format_value(clock)} s" if clock is not None else "—")
    st.caption(specimen_line(status))
    usage = dose_usage(status)
    if usage is not None:
        st.progress(usage.fraction, text=usage.label)
    if view is None:
        st.info("No acquisition yet. Ask for an image to see it here.")
    else:
        render_view(view)
    render_settings(status)
