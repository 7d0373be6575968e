"""The sidebar's specimen choice: the catalogue, the session's structure files, the shared ones (copied in when
chosen) and uploads, each refused without a trace when it is not a structure file the session can take."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.store import structures
from copilot.ui import specimens
from copilot.ui.sidebar import STRUCTURE_TYPES
from copilot.ui.specimens import StructureChoiceError, bring_into_session, save_upload, specimen_choices

CIF = Path(__file__).resolve().parents[2] / "examples" / "structures" / "si_diamond.cif"
CATALOGUE = {"graphene": "single-layer graphene", "afm_steps": "atomic steps for the AFM"}


def put(folder: Path, name: str, data: bytes = b"data") -> Path:
    path = folder / "structures" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_the_choice_lists_the_catalogue_then_the_session_files_then_the_shared_ones(tmp_path: Path) -> None:
    session, root = tmp_path / "root" / "s1", tmp_path / "root"
    put(session, "mine.cif")
    put(session, "notes.txt")  # not a structure file the twin lists
    put(root, "shared.xyz")
    put(root, "mine.cif")  # also in the session: listed once, as the session's
    choices = specimen_choices(CATALOGUE, session, root)
    assert list(choices) == ["graphene", "afm_steps", "structures/mine.cif", "structures/shared.xyz"]
    assert choices["structures/mine.cif"] == specimens.SESSION_NOTE
    assert choices["structures/shared.xyz"] == specimens.SHARED_NOTE


def test_what_the_instrument_has_now_is_always_offered(tmp_path: Path) -> None:
    choices = specimen_choices(CATALOGUE, tmp_path, tmp_path, current="elsewhere/si.cif")
    assert "elsewhere/si.cif" in choices  # loaded by the chat from outside structures/
    assert list(specimen_choices(CATALOGUE, None, tmp_path, current="graphene")) == list(CATALOGUE)


def test_the_page_lists_what_the_store_lists() -> None:
    assert specimens.STRUCTURES_FOLDER == structures.STRUCTURES_FOLDER
    assert {f".{kind}" for kind in STRUCTURE_TYPES} == structures.LISTED_SUFFIXES


def test_an_upload_is_saved_in_the_session_and_the_same_file_again_is_not_written_twice(tmp_path: Path) -> None:
    data = CIF.read_bytes()
    assert save_upload(tmp_path, "si.cif", data) == ("structures/si.cif", True)
    assert (tmp_path / "structures" / "si.cif").read_bytes() == data
    assert save_upload(tmp_path, "si.cif", data) == ("structures/si.cif", False)
    assert sorted(p.name for p in (tmp_path / "structures").iterdir()) == ["si.cif"]  # no temporary file left


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("../si.cif", b"x", "not a plain file name"),
        ("sub/si.cif", b"x", "not a plain file name"),
        (".hidden.cif", b"x", "not a plain file name"),
        ("si.txt", b"x", "not a structure file"),
        ("si.cif", b"", "empty"),
        ("si.cif", b"x" * (structures.MAX_STRUCTURE_BYTES + 1), "larger than"),
    ],
)
def test_a_refused_upload_writes_nothing(tmp_path: Path, name: str, data: bytes, why: str) -> None:
    with pytest.raises(StructureChoiceError, match=why):
        save_upload(tmp_path, name, data)
    assert not any(tmp_path.rglob("*"))
    assert not (tmp_path.parent / "si.cif").exists()


def test_another_file_under_a_name_the_session_has_is_refused_and_the_first_kept(tmp_path: Path) -> None:
    first = put(tmp_path, "si.cif", b"first")
    with pytest.raises(StructureChoiceError, match=r"already has another structures/si\.cif"):
        save_upload(tmp_path, "si.cif", b"second")
    assert first.read_bytes() == b"first"


def test_a_shared_file_is_copied_into_the_session_once(tmp_path: Path) -> None:
    root, session = tmp_path, tmp_path / "s1"
    put(root, "si.cif", b"shared")
    assert bring_into_session(session, root, "structures/si.cif")
    assert (session / "structures" / "si.cif").read_bytes() == b"shared"
    assert not bring_into_session(session, root, "structures/si.cif")  # the session has it now
    assert not bring_into_session(session, root, "graphene")  # a catalogue name: nothing to copy
    assert not bring_into_session(session, root, "structures/missing.cif")
    (root / "outside.cif").write_bytes(b"outside")
    assert not bring_into_session(session, root, "structures/../outside.cif")  # only plain names in structures/
    assert sorted(p.name for p in (session / "structures").iterdir()) == ["si.cif"]
