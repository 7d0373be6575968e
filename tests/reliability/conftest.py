"""The mcp 1.x client script runs in its own virtualenv (mcp<2), never imported by the suite."""

collect_ignore = ["cancel_client.py"]
