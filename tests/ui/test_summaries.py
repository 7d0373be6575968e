"""One-line step summaries."""

from __future__ import annotations

from copilot.agent.events import ToolCall, ToolResult
from copilot.ui.summaries import describe_step, format_value, key_arguments, result_numbers


def test_values_are_compact_with_three_or_four_significant_figures() -> None:
    assert [format_value(v) for v in (2.0, 0.3125, 2.5e6, 1e-5, 7, True)] == [
        "2",
        "0.3125",
        "2.5e+06",
        "1e-05",
        "7",
        "true",
    ]
    assert format_value("x" * 100).endswith("…") and len(format_value("x" * 100)) == 32


def test_key_arguments_show_the_first_scalars_and_count_the_rest() -> None:
    args = {"fov_nm": 20.0, "pixels": 512, "dwell_us": 2.0, "detector": "HAADF", "rotation_deg": 0.0, "roi": [1, 2]}
    assert key_arguments(args) == "fov_nm=20, pixels=512, dwell_us=2, detector=HAADF, +1 more"


def test_result_numbers_put_identifiers_first_and_leave_out_lists() -> None:
    data = {"stats": {"mean_counts": 101.5}, "positions_nm": [[1, 2]], "id": "a0003", "dose_e_per_A2": 1234.5}
    assert result_numbers(data) == "id=a0003, mean_counts=101.5, dose_e_per_A2=1234"


def test_a_step_label_says_running_error_or_numbers() -> None:
    call = ToolCall("c1", "move_stage", {"x_um": 5.0})
    assert describe_step(call, None) == "move_stage · x_um=5 …"
    failed = ToolResult("c1", "move_stage", False, {"error": "x_um=5 is outside the stage limits"})
    assert describe_step(call, failed) == "move_stage · x_um=5 → error: x_um=5 is outside the stage limits"
    done = ToolResult("c1", "move_stage", True, {"x_um": 5.0, "moved": True})
    assert describe_step(call, done) == "move_stage · x_um=5 → x_um=5"
