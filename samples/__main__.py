"""``python -m samples``: run every sample contract suite, each with its own runner.

1. samples/userclient -- PactTestCase and the v2 API, with ``python -m unittest discover``;
2. samples/orderevents -- a message consumer: @message and the v2 MessagePact, with
   ``python -m unittest discover``;
3. samples/django_project -- PactMixin on Django test cases, with ``manage.py test
   --parallel 2`` (Django's runner, two worker processes);
4. samples/user_service -- the provider side: the Django user service verified against
   the pacts 1 and 3 wrote, one test per interaction (PactVerificationMixin), ``manage.py
   test --parallel 2``;
5. samples/orderservice -- the message provider: the order service's event producer
   verified against the message pact 2 wrote (@message_producer).

The pact files land in samples/pacts/. ``PACT_SAMPLES_BROKEN=1 python -m samples`` adds a
deliberately broken client test, to show what a contract failure looks like (the run
then fails); ``USER_SERVICE_BROKEN=1`` breaks the user service's view instead, to show a
provider verification failure, and ``ORDER_SERVICE_BROKEN=1`` the order service's events. Exit status: 0 when every suite passed.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def _run(title: str, argv: list, cwd: Path) -> int:
    print(f"\n=== {title}\n$ {' '.join(argv)}", flush=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return subprocess.call(argv, cwd=str(cwd), env=env)


def main() -> int:
    python = sys.executable
    codes = [
        _run("user client contracts (unittest: PactTestCase + v2 API)",
             [python, "-m", "unittest", "discover", "-v", "-s", "samples/userclient", "-t", "."],
             REPO),
        _run("order event contracts (unittest: PactTestCase + @message, v2 MessagePact)",
             [python, "-m", "unittest", "discover", "-v", "-s", "samples/orderevents", "-t", "."],
             REPO),
        _run("Django shop contracts (Django's runner, --parallel 2)",
             [python, "manage.py", "test", "--parallel", "2", "-v", "2"],
             HERE / "django_project"),
    ]
    # The provider verifies what the consumers just wrote (a consumer run that failed
    # left its pact unverified by its own tests: the provider run still shows the rest).
    codes.append(_run("user service verified against those pacts (PactVerificationMixin, "
                      "--parallel 2)",
                      [python, "manage.py", "test", "--parallel", "2", "-v", "2"],
                      HERE / "user_service"))
    codes.append(_run("order service's events verified against the message pacts "
                      "(@message_producer, v2 MessageProvider)",
                      [python, "-m", "unittest", "discover", "-v", "-s", "samples/orderservice",
                       "-t", "."], REPO))
    print("\nPact files in samples/pacts/:")
    for path in sorted((HERE / "pacts").glob("*.json")):
        print(f"  {path.relative_to(REPO)}")
    if any(codes):
        print("\nSome suites failed (see above)."
              + (" A *_BROKEN variable is set: the broken example fails on purpose."
                 if any(os.environ.get(name) for name in (
                     "PACT_SAMPLES_BROKEN", "USER_SERVICE_BROKEN", "ORDER_SERVICE_BROKEN"))
                 else ""))
        return 1
    print("\nAll sample suites passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
