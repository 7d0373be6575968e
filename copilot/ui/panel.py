"""The live instrument panel: the latest image (scale bar, FOV) or spectrum, the dose budget as a bar, the
specimen and seed, the simulated clock and the beam/optics/scan/stage settings. It holds no widgets, so it can be
redrawn in place after every tool result of a turn.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import streamlit as st

from copilot.ui.acquisitions import AcquisitionView, ImageView, SpectrumView
from copilot.ui.charts import line_profile_spec, spectrum_spec
from copilot.ui.status_view import afm_line, clock_s, dose_usage, setting_groups, specimen_line
from copilot.ui.summaries import format_value
from copilot.ui.viewer import show_viewer

ZERO_LOSS_BELOW_EV = 10.0  # an EELS spectrum's zero-loss peak (and its tail) lies below this energy loss


def render_profile(view: ImageView) -> None:
    """The AFM trace/retrace heights along the middle line, in a block of its own under the map."""
    if view.profiles and view.profile_axis_nm is not None:
        with st.container():
            spec = line_profile_spec(view.profile_axis_nm, view.profiles, title="middle line")
            st.vega_lite_chart(spec=spec, width="stretch")


def render_spectrum(view: SpectrumView, elements: Collection[str] = ()) -> None:
    """A spectrum on a log scale with the edges of ``elements`` (identified or asked for) marked; an EELS
    spectrum's zero-loss peak can be hidden from the chart."""
    zero_loss = ZERO_LOSS_BELOW_EV if view.kind == "EELS" else None
    spec = spectrum_spec(
        view.energy_eV, view.counts, view.edges_of(elements), title=view.caption, zero_loss_below=zero_loss
    )
    st.vega_lite_chart(spec=spec, width="stretch")


def render_view(
    view: AcquisitionView,
    overlays: Mapping[str, bytes] | None = None,
    *,
    elements: Collection[str] = (),
    key: str = "view",
) -> None:
    """An image in the zoomable viewer (with its colour bar, overlays and AFM line profile), or a spectrum."""
    if isinstance(view, ImageView):
        show_viewer(view, overlays, key=f"{key}-viewer")
        render_profile(view)
    elif isinstance(view, SpectrumView):
        render_spectrum(view, elements)


def render_settings(status: Mapping[str, Any]) -> None:
    groups = setting_groups(status)
    if not groups:
        return
    tabs = st.tabs(list(groups))
    for tab, rows in zip(tabs, groups.values(), strict=True):
        with tab:
            table = "\n".join(f"| {name} | {value} |" for name, value in rows)
            st.markdown(f"| setting | value |\n|---|---|\n{table}")


def render_panel(
    status: Mapping[str, Any],
    view: AcquisitionView | None,
    overlays: Mapping[str, bytes] | None = None,
    *,
    elements: Collection[str] = (),
    key: str = "panel",
) -> None:
    """The whole panel from a status dict and the latest acquisition view."""
    st.subheader("Instrument")
    clock = clock_s(status)
    clock_text = f"{format_value(clock)} s" if clock is not None else "—"
    st.markdown(f"**{specimen_line(status)}** · clock {clock_text}")
    afm = afm_line(status)
    usage = dose_usage(status)
    if afm is not None:
        st.markdown(afm)
    elif usage is not None:
        st.html(usage.bar_html())
    if view is None:
        st.info("No acquisition yet. Ask for an image to see it here.")
    else:
        render_view(view, overlays, elements=elements, key=key)
    render_settings(status)
