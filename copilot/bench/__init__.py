"""Benchmarks behind `copilot bench`: each area registers cases; the runner prints medians and ratios."""
