"""The offline planner: a deterministic chat model that plans microscope tool calls from plain requests.

``parse`` reads the request, ``plan`` orders the tool steps, ``outcomes`` reads results back, ``answer`` writes the
reply from the tool outputs, ``model`` ties them into a LangChain chat model.
"""

from copilot.agent.offline.model import OfflinePlanner

__all__ = ["OfflinePlanner"]
