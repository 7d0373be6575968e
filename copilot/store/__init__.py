"""Acquisitions on disk: crash-safe HDF5 files, PNG previews, the operation journal and exports.

On-disk layout of a session's data folder::

    data/
      journal.jsonl          one JSON object per operation, appended, flushed and fsynced per line:
                             {"seq", "wall_time", "instrument_time_s", "tool", "args", "ok",
                              "result" (short summary) | "error" {"type", "message"}}
      acquisitions/
        a0001.h5             one HDF5 file per acquisition (written to a temporary file in the same
        a0001.png            folder, fsynced, then renamed, so a file is either complete or absent)
        a0002.h5             and its preview: PNG, longest side <= 1024 px, percentile-scaled,
        a0002.png            with a scale bar (images) or a plot (spectra)
      exports/
        <name>.h5|.tif|.png  files written by export_acquisition (names without folders only)

Each HDF5 file holds:

- ``/data/<name>``: the arrays (``image`` float32 counts for STEM images; ``counts`` and ``energy_eV`` for spectra
  and spectrum images; one dataset per channel for AFM images, e.g. ``height_nm``);
- root attributes: ``id``, ``kind`` (``image`` | ``spectrum`` | ``spectrum_image`` | ``afm_image``),
  ``created_utc``, ``format_version``, ``metadata_json`` (the full metadata: calibration, dose and every
  instrument setting, as JSON) and the same metadata flattened as ``"settings/beam/energy_kv"``-style attributes
  so that ``h5ls -v`` or HDFView show it without parsing JSON.

Ids are ``a0001``, ``a0002``, ... in acquisition order. Opening a folder rebuilds the index from the files, so a
new session continues an old folder where it stopped.
"""

from copilot.store.acquisition import Acquisition
from copilot.store.journal import Journal
from copilot.store.store import AcquisitionStore, ExportFormat

__all__ = ["Acquisition", "AcquisitionStore", "ExportFormat", "Journal"]
