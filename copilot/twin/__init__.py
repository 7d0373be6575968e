"""The digital twin: specimens with ground truth and the physics of STEM and AFM (pure numpy, no I/O)."""
