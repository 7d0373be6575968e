"""The acquisition store of one data folder: ids, index, HDF5 + preview writing, reading, export."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import tifffile

from copilot.store.acquisition import LEGACY_SUFFIX, SUFFIX, Acquisition, AcquisitionKind, read_hdf5, write_hdf5
from copilot.store.errors import AcquisitionNotFoundError, ExportPathError
from copilot.store.preview import full_resolution_png, image_preview, spectrum_plot

ExportFormat = Literal["hdf5", "tiff", "png"]
_SUFFIX: dict[str, str] = {"hdf5": SUFFIX, "tiff": ".tif", "png": ".png"}
_ID_RE = re.compile(r"^a(\d{4,})$")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def primary_image(acq: Acquisition) -> np.ndarray | None:
    """The 2-D array that represents an acquisition visually, or None for a single spectrum."""
    if acq.kind == "image":
        return acq.arrays["image"]
    if acq.kind == "spectrum_image":
        return np.asarray(acq.arrays["counts"]).sum(axis=-1)
    if acq.kind == "afm_image":
        names = sorted(acq.arrays)
        preferred = ("height_trace", "height_nm", "height")
        heights = [n for n in (*preferred, *names) if n in acq.arrays and n.startswith("height")]
        return acq.arrays[heights[0] if heights else names[0]]
    return None


def render_preview(acq: Acquisition) -> bytes:
    """PNG preview: the image with a scale bar, or the spectrum as a plot."""
    image = primary_image(acq)
    if image is None:
        return spectrum_plot(
            acq.arrays["energy_eV"],
            acq.arrays["counts"],
            x_label="energy loss / eV" if acq.metadata.get("spectrum_kind") == "EELS" else "energy / eV",
        )
    pixel_size_nm = acq.metadata.get("pixel_size_nm")
    return image_preview(image, float(pixel_size_nm) if pixel_size_nm else None)


class AcquisitionStore:
    """Acquisitions of one data folder (see :mod:`copilot.store` for the layout).

    Thread-safe. Keeps the arrays of the most recent ``cache_size`` acquisitions in memory.
    """

    def __init__(self, data_dir: Path, cache_size: int = 8) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.acq_dir = self.data_dir / "acquisitions"
        self.export_dir = self.data_dir / "exports"
        self.acq_dir.mkdir(parents=True, exist_ok=True)
        self.export_dir.mkdir(exist_ok=True)
        self._lock = threading.RLock()
        self._cache: OrderedDict[str, Acquisition] = OrderedDict()
        self._cache_size = cache_size
        self._index: dict[str, Acquisition] = {}
        self._legacy: set[str] = set()  # ids whose file predates the HyperSpy layout (a0001.h5)
        for suffix in (LEGACY_SUFFIX, SUFFIX):
            for path in sorted(self.acq_dir.glob(f"a*{suffix}")):
                if _ID_RE.match(path.stem):
                    self._index[path.stem] = read_hdf5(path, with_arrays=False)
                    (self._legacy.add if suffix == LEGACY_SUFFIX else self._legacy.discard)(path.stem)
        for stale in self.acq_dir.glob(".*.tmp"):  # left by a crash between create and rename
            stale.unlink(missing_ok=True)
        self._next = 1 + max((int(_ID_RE.match(i).group(1)) for i in self._index), default=0)  # type: ignore[union-attr]

    def add(self, kind: AcquisitionKind, metadata: dict[str, Any], arrays: dict[str, np.ndarray]) -> Acquisition:
        """Store a new acquisition (HDF5 first, then its preview) and return it with its new id."""
        with self._lock:
            acq_id = f"a{self._next:04d}"
            acq = Acquisition(acq_id, kind, datetime.now(UTC).isoformat(), metadata, arrays)
            # The preview renders (PNG encoding releases the GIL) while the HDF5 file is written.
            with ThreadPoolExecutor(max_workers=1) as pool:
                png = pool.submit(render_preview, acq)
                write_hdf5(self.path(acq_id), acq)
                self._next += 1
                self._index[acq_id] = Acquisition(acq_id, kind, acq.created_utc, metadata)
                self._remember(acq)
                self._write_preview_file(acq_id, png.result())
            return acq

    def write_preview(self, acq: Acquisition) -> bytes:
        """Render and store the preview PNG of ``acq`` (atomically) and return its bytes."""
        png = render_preview(acq)
        self._write_preview_file(acq.id, png)
        return png

    def _write_preview_file(self, acq_id: str, png: bytes) -> None:
        target = self.preview_path(acq_id)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(png)
        tmp.replace(target)

    def path(self, acq_id: str) -> Path:
        """Path of the HDF5 file of ``acq_id`` (``.hspy``; ``.h5`` for a file of the first layout)."""
        return self.acq_dir / f"{acq_id}{LEGACY_SUFFIX if acq_id in self._legacy else SUFFIX}"

    def preview_path(self, acq_id: str) -> Path:
        """Path of the PNG preview of ``acq_id``."""
        return self.acq_dir / f"{acq_id}.png"

    @property
    def latest_id(self) -> str | None:
        """The id of the most recent acquisition, or None when the folder is empty."""
        with self._lock:
            return max(self._index, default=None, key=lambda i: int(i[1:]))

    def ids(self) -> list[str]:
        """Every id, oldest first."""
        with self._lock:
            return sorted(self._index, key=lambda i: int(i[1:]))

    def metadata(self, acq_id: str) -> Acquisition:
        """The index entry of ``acq_id`` (metadata only, no arrays)."""
        with self._lock:
            try:
                return self._index[acq_id]
            except KeyError:
                raise AcquisitionNotFoundError(f"No acquisition {acq_id!r} in this session's data folder.") from None

    def get(self, acq_id: str) -> Acquisition:
        """The acquisition with its arrays, from the cache or from disk."""
        with self._lock:
            self.metadata(acq_id)
            if acq_id in self._cache:
                self._cache.move_to_end(acq_id)
                return self._cache[acq_id]
            acq = read_hdf5(self.path(acq_id))
            self._remember(acq)
            return acq

    def preview(self, acq_id: str) -> bytes:
        """The preview PNG bytes (re-rendered if the file is missing, e.g. after a crash).

        Only ids of this folder's acquisitions are served (AcquisitionNotFoundError otherwise), so an id can
        never name a file elsewhere.
        """
        self.metadata(acq_id)
        path = self.preview_path(acq_id)
        if path.exists():
            return path.read_bytes()
        return self.write_preview(self.get(acq_id))

    def export(self, acq_id: str, name: str, fmt: ExportFormat) -> Path:
        """Write ``acq_id`` as HyperSpy HDF5 (``.hspy``), TIFF or PNG to ``exports/<name>`` and return the path.

        ``name`` must be a plain file name (no folders, no '..', not absolute) that does not exist yet.
        """
        target = self.export_target(name, fmt)
        acq = self.get(acq_id)
        if fmt == "hdf5":
            write_hdf5(target, acq)  # atomic itself; always the current layout, also for a file of the first one
            return target
        tmp = target.with_name(f".{target.name}.tmp")
        try:
            if fmt == "png":
                image = primary_image(acq)
                tmp.write_bytes(render_preview(acq) if image is None else full_resolution_png(image))
            else:
                self._write_tiff(acq, tmp)
            tmp.replace(target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return target

    def export_target(self, name: str, fmt: ExportFormat) -> Path:
        """Validate an export name and return the path it would be written to."""
        if fmt not in _SUFFIX:
            raise ExportPathError(f"Unknown export format {fmt!r}; choose hdf5, tiff or png.")
        suffix = _SUFFIX[fmt]
        if not isinstance(name, str) or not _NAME_RE.match(name) or ".." in name:
            raise ExportPathError(f"Export name {name!r} is not a plain file name.")
        file_name = name if name.lower().endswith(suffix) else f"{name}{suffix}"
        target = (self.export_dir / file_name).resolve()
        if target.parent != self.export_dir.resolve():
            raise ExportPathError(f"Export name {name!r} resolves outside the session's export folder.")
        if target.exists():
            raise ExportPathError(f"{file_name} already exists in the exports folder.", hint="Choose another name.")
        return target

    def _write_tiff(self, acq: Acquisition, path: Path) -> None:
        if acq.kind == "spectrum":
            raise ExportPathError("A single spectrum has no image to write as TIFF.", hint="Export it as hdf5 or png.")
        image = primary_image(acq)
        assert image is not None
        pixel_size_nm = float(acq.metadata.get("pixel_size_nm") or 1.0)
        per_cm = 1e7 / pixel_size_nm
        tifffile.imwrite(
            path,
            np.asarray(image, dtype=np.float32),
            resolution=(per_cm, per_cm),
            resolutionunit="CENTIMETER",
            metadata={"id": acq.id, "kind": acq.kind, "pixel_size_nm": pixel_size_nm},
        )

    def _remember(self, acq: Acquisition) -> None:
        self._cache[acq.id] = acq
        self._cache.move_to_end(acq.id)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
