"""Unit-product energy against the national benchmark and baseline levels and limit grades."""
