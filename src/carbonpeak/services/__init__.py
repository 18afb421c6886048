"""Use cases: the only code that uses the store and the engines together."""
