"""carbonpeak: the public service platform for the green, low-carbon transformation of industry."""

__version__ = "0.1.0"
