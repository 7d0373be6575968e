"""Result summaries name each number with the unit its field name carries, exactly as the tool gave it."""

from __future__ import annotations

import pytest

from copilot.agent.summary import format_number, label_and_unit, summarize


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("pixel_size_nm", ("pixel size", "nm")),
        ("dose_e_per_A2", ("dose", "e⁻/Å²")),
        ("drift_nm_per_min", ("drift", "nm/min")),
        ("tip_speed_um_per_s", ("tip speed", "µm/s")),
        ("i_gain_per_ms", ("i gain", "/ms")),
        ("n_atoms", ("number of atoms", "")),
        ("gamma_deg", ("gamma", "°")),
        ("atom_count", ("atom count", "")),
    ],
)
def test_a_field_name_gives_its_label_and_unit(key: str, expected: tuple[str, str]) -> None:
    assert label_and_unit(key) == expected


def test_numbers_keep_four_significant_digits_and_large_ones_stay_whole() -> None:
    assert [format_number(v) for v in (0.15625, 255.65221, 131072.0, 57, True)] == [
        "0.1562",
        "255.7",
        "131072",
        "57",
        "true",
    ]


def test_nested_groups_short_lists_and_named_lists_are_summarized() -> None:
    data = {
        "id": "a0001",
        "uri": "acq://a0001",
        "statistics": {"mean": 100.01, "std": 10.04},
        "d_spacings_nm": [0.282, 0.2758],
        "specimens": [{"name": "graphene"}, {"name": "mos2"}],
        "positions_nm": [["vacancy", 1.0, 2.0]] * 9,
        "spectrum_kind": None,
    }
    assert summarize(data) == [
        "id a0001",
        "mean 100",
        "std 10.04",
        "d spacings [0.282, 0.2758] nm",
        "specimens: graphene, mos2",
        "positions: 9 entries",
    ]
    assert len(summarize({f"k{i}": i for i in range(30)}, limit=5)) == 5
