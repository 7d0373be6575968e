"""Scripted evaluation of agent task success on the twin, judged against ground truth.

- :mod:`copilot.eval.task`: tasks as YAML data (``tasks/*.yaml``, schema ``task.schema.json``) and the loader.
- :mod:`copilot.eval.checks`, :mod:`~copilot.eval.facts`, :mod:`~copilot.eval.trajectory`: the check types.
- :mod:`copilot.eval.truth`: ground truth read from the session in process (never through a tool).
- :mod:`copilot.eval.runner`: episodes in parallel, each in its own session; :mod:`~copilot.eval.replay` is the
  ``reference`` model; :mod:`~copilot.eval.flaky` injects a model endpoint error.
- :mod:`copilot.eval.metrics`, :mod:`~copilot.eval.report`, :mod:`~copilot.eval.compare`: rates with Wilson
  intervals, pass^k, the JSON / Markdown / HTML reports and run comparison; :mod:`~copilot.eval.cli` the command.
"""
