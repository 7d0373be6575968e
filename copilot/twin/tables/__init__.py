"""Generated physics tables of the STEM twin (Python literals: the twin reads no files)."""
