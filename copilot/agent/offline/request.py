"""The typed reading of one request: the families it asks for and the settings it names, in tool units."""

from __future__ import annotations

from dataclasses import dataclass, field

from copilot.agent.offline.clauses import Constraint


@dataclass
class Request:
    """What a request asks for: families in ``intents`` and the settings it names, in tool units."""

    text: str = ""  # the request as read: normalised, its negated and bounded parts cut out
    intents: set[str] = field(default_factory=set)
    fov_nm: float | None = None
    pixels: int | None = None
    pixel_size_nm: float | None = None  # "at 0.05 nm per pixel": the field of view is this times the pixels
    dwell_us: float | None = None
    rotation_deg: float | None = None
    rate_hz: float | None = None
    defocus_nm: float | None = None
    defocus_series_nm: list[float] = field(default_factory=list)
    astig_nm: float | None = None
    astig_angle_deg: float | None = None
    coma_nm: float | None = None
    coma_angle_deg: float | None = None
    cs_um: float | None = None
    convergence_mrad: float | None = None
    detector_mrad: dict[str, float] = field(default_factory=dict)  # set_detectors: "HAADF inner angle 50 mrad"
    energy_kv: float | None = None
    current_pa: float | None = None
    blanked: bool | None = None
    blank_around: bool = False  # blanked before the other settings change and unblanked after them
    stage_um: dict[str, float] = field(default_factory=dict)
    stage_series_um: list[dict[str, float]] = field(default_factory=list)
    zoom_fov_nm: float | None = None
    zoom_detector: str | None = None  # "an overview in BF, then a HAADF of 175 nm": the closer frame's detector
    zoom_on_feature: bool = False
    specimen: str | None = None
    seed: int | None = None
    detector: str | None = None
    spectrum_kind: str | None = None
    spectrum_kinds: list[str] = field(default_factory=list)  # both EELS and EDS asked for, in the order said
    spectrum_dwell_ms: float | None = None
    point_nm: tuple[float, float] | None = None
    region_nm: tuple[float, float, float, float] | None = None
    line_nm: tuple[float, float, float, float] | None = None  # a line profile's ends: x0, y0, x1, y1
    line_diagonal: bool = False  # a line profile corner to corner
    spectrum_target: str | None = None  # "brightest", "dopant", "defect" or None
    setpoint_nm: float | None = None
    p_gain: float | None = None
    i_gain_per_ms: float | None = None
    channels: list[str] = field(default_factory=list)
    change_if_double: bool = False
    export_format: str | None = None
    export_name: str | None = None  # "save it as a TIFF called mos2_edge"
    denoise_method: str | None = None  # "nl-means denoise": gaussian, median, wiener or nl_means
    denoise_strength_nm: float | None = None  # "with a 0.08 nm length scale"
    line_width_nm: float | None = None  # a line profile "averaged over 0.6 nm"
    plane_order: int | None = None  # "flatten it with a second-order background"
    afm_direction: str | None = None  # "the step height from the retrace"
    afm_centre_um: tuple[float, float] | None = None  # "centre the AFM scan at (0.65, -1.1) µm"
    focus_range_nm: float | None = None  # "autofocus over a 150 nm range"
    focus_steps: int | None = None  # "autofocus in 15 steps"
    threshold_sigmas: float | None = None  # "segment the particles with a 7.5σ threshold"
    domain_method: str | None = None  # "the domain fractions by k-means": "kmeans" or "otsu"
    domain_classes: int | None = None  # "domain fractions with three classes"
    use_last_image: bool = False
    use_last_spectrum: bool = False
    unsupported: list[str] = field(default_factory=list)
    tilt_deg: dict[str, float] = field(default_factory=dict)  # a relative tilt: {"alpha_deg": 5.0}
    tilt_relative: bool = False
    astig_check: bool = False  # "is the image astigmatic?": compare sharpness at the current A1 and at zero
    astig_fix: bool = False  # ... and keep A1 = 0 when it is sharper
    min_diameter_nm: float | None = None  # "only the particles bigger than 3 nm"
    max_diameter_nm: float | None = None
    particle_target: str | None = None  # zoom on the "largest" or "smallest" particle
    edge_onset: tuple[str, str | None] | None = None  # measure_edge_onset: (element, edge or None for its lowest)
    spectrum_map: bool = False  # a spectrum image over a region ("map the Ti distribution over a 4 nm square")
    scales: dict[str, float] = field(default_factory=dict)  # "double the field of view": argument -> factor on now
    offsets: dict[str, float] = field(default_factory=dict)  # "raise the current by 10 pA": argument -> change
    zoom_factor: float | None = None  # "zoom out a bit": the current field of view times this
    drift_interval_s: float | None = None  # "a drift check over 10 seconds"
    lattice_pair: bool = False  # "the drift-corrected lattice from the pair": the second frame is the rotated one
    inspect: bool = False  # "anything unusual?": the analysis is chosen by the field of view of the image
    map_pixels: int | None = None  # the pixels of a spectrum image
    map_side_nm: float | None = None  # the side of a square map centred in the field of view
    remarks: list[str] = field(default_factory=list)  # "last week we ran at 26 pA": told, not asked; cut
    unjudged: list[str] = field(default_factory=list)  # actions asked under a condition not judged: not run, said
    unmapped: list[str] = field(default_factory=list)  # parts of the request the plan does not do, said in the answer
    constraints: list[Constraint] = field(default_factory=list)  # what it forbids or bounds (``clauses``)
    questions: list[int] = field(default_factory=list)  # what it asks about the instrument (``questions``)
    load_explicit: bool = True  # the specimen was named with a load verb (else loaded only if it is not in)
    instruments_named: set[str] = field(default_factory=set)  # every instrument whose words the request uses
    instrument: str | None = None  # "STEM" or "AFM" when the words of the request (negated ones too) say which
    magnification: float | None = None  # a magnification as said ("500kx"): not a field of view, so not set
    hypothetical: bool = False  # "what would happen if I set 300 kV?", "should I refocus?": asks, orders nothing
    unread: list[str] = field(default_factory=list)  # numbers said that no setting took ("512 lines"): nothing runs
    unread_words: list[str] = field(default_factory=list)  # words the reading did not use ("that last frame")
    count_any: bool = False  # "count them": what is counted is chosen by the field of view of the image
