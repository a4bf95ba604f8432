"""Runnable samples of pact_unittest: ``python -m samples`` (see samples/README.md)."""
