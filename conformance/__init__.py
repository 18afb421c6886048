"""Conformance tests against specs that may not be shared: fetched, then run (`make
pact-conformance`); outside tests/, so the default suite (CI) never collects them."""
