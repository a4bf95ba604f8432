"""Two failing contract tests whose reports tests/test_testcase_tracebacks.py measures.

Nothing here imports Django: the unittest and pytest runs must work without it installed.
The Django run names its settings on the command line (``--settings tracebacks.settings``)
and ``python -m django`` sets Django up, in the workers of ``--parallel`` too.
"""
