"""The gallery renders every specimen as PNG files a person can look at."""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image
from typer.testing import CliRunner

from copilot.cli import app
from copilot.gallery import afm_picture, close_up, stem_pictures
from copilot.twin import Microscope


def test_a_stem_specimen_gets_a_survey_and_an_atomicclose_up(tmp_path: Path) -> None:
    pictures = stem_pictures("srtio3", seed=0, out_dir=tmp_path)
    assert [(p.view, p.fov_nm) for p in pictures] == [("survey", 200.0), ("atomic", 6.0)]
    for picture in pictures:
        with Image.open(picture.path) as img:
            assert img.size == (512, 512)
            assert max(img.convert("L").getextrema()) > 0  # not a blank frame


def test_the_goldclose_up_is_centred_on_a_particle() -> None:
    scope = Microscope("gold_nanoparticles", seed=0)
    close_up(scope)
    stage = scope.snapshot()["stage"]
    centre = (stage["x_um"] * 1000.0, stage["y_um"] * 1000.0)
    assert any(math.dist(centre, p.center_nm) < 1e-6 for p in scope.specimen.particles)
    assert scope.snapshot()["scan"]["fov_nm"] == 6.0


def test_an_afm_surface_gets_a_coloured_height_map(tmp_path: Path) -> None:
    picture = afm_picture("afm_grating", seed=0, out_dir=tmp_path)
    with Image.open(picture.path) as img:
        assert img.mode == "RGB"
        assert picture.view == "height" and picture.fov_nm > 0


def test_the_gallery_command_lists_every_picture_it_wrote(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["gallery", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in tmp_path.glob("*.png"))
    assert len(written) == 15 and "graphene-atomic.png" in written and "afm_steps-height.png" in written
