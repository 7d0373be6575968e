"""One acquisition as a record (arrays + JSON-friendly metadata) and its crash-safe HyperSpy HDF5 file.

The file is written by rosettasciio's ``.hspy`` writer (one signal per image or channel under ``/Experiments``,
see :mod:`copilot.store.signals`), then the record is added for plain h5py readers: ``/data/<name>`` links to the
same datasets (no copy) plus the spectra's ``energy_eV``, and the root attributes ``id``, ``kind``,
``created_utc``, ``format_version``, ``metadata_json`` and the flattened metadata.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import h5py
import numpy as np

from copilot.store.signals import signal_dicts

FORMAT_VERSION = 2
"""1: the record alone (``.h5``); 2: a HyperSpy file (``.hspy``) that also holds the record."""
SUFFIX = ".hspy"
LEGACY_SUFFIX = ".h5"
CHUNK_BYTES = 1_000_000
AcquisitionKind = Literal["image", "spectrum", "spectrum_image", "afm_image"]
KINDS: tuple[AcquisitionKind, ...] = ("image", "spectrum", "spectrum_image", "afm_image")
RESERVED_ATTRS = ("id", "kind", "created_utc", "format_version", "metadata_json")
OPEN_FILES_LOCK = threading.Lock()
"""Held while this module has an HDF5 file open, and by anything that forks (:mod:`copilot.session_worker`): HDF5
locks its files with ``flock``, which a forked child shares, so a child forked while a file is open would keep that
file locked until it exits and the next open of it (by another session in the process) would fail."""
"""Root attributes of the record itself: flattened metadata never overwrites them (it stays in metadata_json)."""


@dataclass
class Acquisition:
    """An acquisition: its id, kind, metadata (calibration, dose, settings) and arrays.

    ``metadata`` is JSON-friendly and carries units in its keys (``fov_nm``, ``pixel_size_nm``,
    ``dose_e_per_A2``). ``arrays`` maps dataset names to numpy arrays; it is empty for an index entry whose
    arrays have not been loaded from disk.
    """

    id: str
    kind: AcquisitionKind
    created_utc: str
    metadata: dict[str, Any]
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """A short description for listings: id, kind, time and the top-level scalar metadata."""
        scalars = {k: v for k, v in self.metadata.items() if isinstance(v, (int, float, str, bool))}
        return {"id": self.id, "kind": self.kind, "created_utc": self.created_utc, **scalars}


def _flatten(prefix: str, value: Any) -> Iterator[tuple[str, Any]]:
    """Yield ``("a/b/c", scalar)`` pairs for a nested mapping; lists become arrays when homogeneous."""
    if isinstance(value, Mapping):
        for key, sub in value.items():
            yield from _flatten(f"{prefix}/{key}" if prefix else str(key), sub)
    elif value is None:
        yield prefix, "None"
    elif isinstance(value, (bool, int, float, str, np.generic)):
        yield prefix, value
    else:
        arr = np.asarray(value)
        yield prefix, arr if arr.dtype.kind in "biuf" else json.dumps(value)


def write_hdf5(path: Path, acq: Acquisition) -> None:
    """Write ``acq`` to ``path`` atomically: temporary file in the same folder, fsync, then ``os.replace``."""
    with OPEN_FILES_LOCK:
        _write_hdf5(path, acq)


def _write_hdf5(path: Path, acq: Acquisition) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=f"{path.suffix}.tmp", dir=path.parent)
    os.close(fd)
    try:
        names = _write_signals(Path(tmp_name), signal_dicts(acq))
        with h5py.File(tmp_name, "a") as f:
            f.attrs["id"] = acq.id
            f.attrs["kind"] = acq.kind
            f.attrs["created_utc"] = acq.created_utc
            f.attrs["format_version"] = FORMAT_VERSION
            f.attrs["metadata_json"] = json.dumps(acq.metadata)
            for key, val in _flatten("", acq.metadata):
                if key not in RESERVED_ATTRS:
                    f.attrs[key] = val
            group = f.create_group("data")
            for name, arr in acq.arrays.items():
                if name in names:
                    group[name] = f[names[name]]  # a hard link: the signal's dataset under its record name
                else:
                    group.create_dataset(name, data=arr)
        with open(tmp_name, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_name, path)
        _fsync_dir(path.parent)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _write_signals(path: Path, signals: list[tuple[str, dict[str, Any]]]) -> dict[str, str]:
    """Write HyperSpy signals into ``path`` (uncompressed: noisy counts barely compress, speed matters); return
    array name -> dataset path. Signals after the first are written beside it and copied in."""
    from rsciio.hspy import file_writer

    names: dict[str, str] = {}
    for i, (name, signal) in enumerate(signals):
        group = str(signal["metadata"]["General"]["title"]).replace("/", "-")
        names[name] = f"Experiments/{group}/data"
        if i == 0:
            file_writer(str(path), signal, chunks=_row_chunks(signal), compression=None, show_progressbar=False)
            continue
        side = path.with_suffix(f".{i}.tmp")
        try:
            file_writer(str(side), signal, chunks=_row_chunks(signal), compression=None, show_progressbar=False)
            with h5py.File(side, "r") as src, h5py.File(path, "a") as dst:
                src.copy(src[f"Experiments/{group}"], dst["Experiments"], name=group)
        finally:
            side.unlink(missing_ok=True)
    return names


def _row_chunks(signal: dict[str, Any]) -> tuple[int, ...] | None:
    """Chunks of whole rows that divide the first axis and fit HDF5's 1 MiB chunk cache: no padding (rosettasciio's
    own chunks pad a spectrum image by a quarter) and whole-array reads at cache speed. None for 0-D data."""
    data = signal["data"]
    shape = tuple(int(n) for n in np.shape(data))
    if not shape or not all(shape):
        return None
    row_bytes = int(np.prod(shape[1:], dtype=np.int64)) * np.asarray(data).dtype.itemsize
    fits = max(1, CHUNK_BYTES // max(row_bytes, 1))
    rows = max(d for d in range(1, min(fits, shape[0]) + 1) if shape[0] % d == 0)
    return (rows, *shape[1:])


def read_hdf5(path: Path, *, with_arrays: bool = True) -> Acquisition:
    """Read an acquisition file; ``with_arrays=False`` reads only the attributes (for the index)."""
    with OPEN_FILES_LOCK, h5py.File(path, "r") as f:
        arrays = {name: np.asarray(ds[()]) for name, ds in f["data"].items()} if with_arrays else {}
        return Acquisition(
            id=str(f.attrs["id"]),
            kind=_kind(f),
            created_utc=str(f.attrs["created_utc"]),
            metadata=json.loads(str(f.attrs["metadata_json"])),
            arrays=arrays,
        )


def _kind(f: h5py.File) -> AcquisitionKind:
    """The record's kind; files whose ``kind`` attribute a spectrum's ``EELS``/``EDS`` overwrote (written before
    :data:`RESERVED_ATTRS` was kept apart) are recognised by their ``counts`` dataset."""
    kind = str(f.attrs["kind"])
    for known in KINDS:
        if kind == known:
            return known
    counts = f["data"].get("counts")
    if counts is None:
        raise ValueError(f"{f.filename}: unknown acquisition kind {kind!r}")
    return "spectrum_image" if counts.ndim == 3 else "spectrum"


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable by syncing its folder (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
