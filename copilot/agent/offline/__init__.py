"""The offline planner: a deterministic chat model that plans microscope tool calls from plain requests.

``lexicon`` normalises the request (quantities said in words spelled by ``spoken``, everyday verbs spelled as the
tool's verb by ``synonyms``) and reads numbers with units, specimen names and seeds; ``clauses`` cuts out what it
forbids or bounds (``Constraint``), ``conditions`` what it asks only under a condition not judged; ``parse`` reads
what it asks for into a ``request.Request`` (its words in ``vocabulary``, each family of settings read by
``read_scan``, ``read_optics``, ``read_stage`` or ``read_probe``, a factor on a present value by
``relative_settings``); ``plan``, ``recipes`` and ``sequence`` order the typed tool steps (``steps``), ``said_order``
in the order the request says them; ``honour`` holds them to the constraints; ``unread`` finds numbers the reading
did not place (nothing runs) and settings no step takes (the answer says so); ``questions`` answers instrument
questions from the status; ``outcomes`` reads results back; ``followups`` (``focus_passes``, ``signal_retry``) say
what is done next when a result is not good enough yet; ``answer`` and ``figures`` write the reply from the tool
outputs; ``model`` ties them into a LangChain chat model. ``letters`` unwraps a pasted email or chat message and
``referred`` puts in a value asked for by reference, before any of this reads the request.
"""

import re

re._MAXCACHE = max(re._MAXCACHE, 4096)  # type: ignore[attr-defined]
# The reader searches about 630 distinct patterns per request, more than the 512 the re module keeps compiled, so
# each request recompiled most of them (13.5 ms a request, 1.8 ms with the larger cache; decision 54).

from copilot.agent.offline.model import OfflinePlanner  # noqa: E402

__all__ = ["OfflinePlanner"]
