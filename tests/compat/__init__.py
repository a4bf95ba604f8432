"""Bindings of the Pact compatibility suite to pact_unittest (see tests/test_compatibility_suite.py)."""
