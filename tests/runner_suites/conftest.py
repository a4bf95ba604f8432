# These suites are run by tests/test_testcase_runners.py in subprocesses, not collected here.
collect_ignore_glob = ["contracts/*", "tracebacks/*", "provider/*"]
