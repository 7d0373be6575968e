"""Acquisitions on disk: crash-safe HyperSpy HDF5 files, PNG previews, the operation journal and exports.

On-disk layout of a session's data folder::

    data/
      journal.jsonl          one JSON object per operation, appended, flushed and fsynced per line:
                             {"seq", "wall_time", "instrument_time_s", "tool", "args", "ok",
                              "result" (short summary) | "error" {"type", "message"}}
      acquisitions/
        a0001.hspy           one HyperSpy HDF5 file per acquisition (written to a temporary file in the same
        a0001.png            folder, fsynced, then renamed, so a file is either complete or absent)
        a0002.hspy           and its preview: PNG, longest side <= 1024 px, percentile-scaled,
        a0002.png            with a scale bar (images) or a plot (spectra)
      exports/
        <name>.hspy|.tif|.png  files written by export_acquisition (names without folders only)

Each acquisition file is a HyperSpy file written by rosettasciio (``hyperspy.api.load("a0001.hspy")`` gives a
calibrated signal, see :mod:`copilot.store.signals`) that also holds the record for plain h5py:

- ``/Experiments/<title>/``: one HyperSpy signal per image, spectrum, spectrum image or AFM channel (title
  ``"a0001 HAADF"``, ``"a0002 EELS spectrum"``, ``"a0005 height_trace"``): ``data``, calibrated axes (nm, eV),
  ``metadata`` (``Acquisition_instrument.TEM``: beam energy, current, convergence angle, dwell time, stage,
  detector and its collection angles, dose) and ``original_metadata/copilot`` (the full record metadata);
- ``/data/<name>``: the arrays under their record names, as links to the signals' datasets (``image`` float32
  counts for STEM images; ``counts`` and ``energy_eV`` for spectra and spectrum images; one dataset per AFM
  channel, e.g. ``height_trace``);
- root attributes: ``id``, ``kind`` (``image`` | ``spectrum`` | ``spectrum_image`` | ``afm_image``),
  ``created_utc``, ``format_version`` (2), ``metadata_json`` (the full metadata as JSON) and the same metadata
  flattened as ``"settings/beam/energy_kv"``-style attributes so that ``h5ls -v`` or HDFView show it.

Files of the first layout (``a0001.h5``: ``/data`` and the root attributes only) are still read.

Ids are ``a0001``, ``a0002``, ... in acquisition order. Opening a folder rebuilds the index from the files, so a
new session continues an old folder where it stopped.
"""

from copilot.store.acquisition import Acquisition
from copilot.store.journal import Journal
from copilot.store.store import AcquisitionStore, ExportFormat

__all__ = ["Acquisition", "AcquisitionStore", "ExportFormat", "Journal"]
