"""Peaking pathways: scenarios, projection, peak detection, decomposition, uncertainty."""
