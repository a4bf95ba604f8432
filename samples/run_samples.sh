#!/bin/sh
# Run every sample suite (same as `python -m samples` from the repository root).
# PACT_SAMPLES_BROKEN=1 ./samples/run_samples.sh shows what a contract failure looks like.
cd "$(dirname "$0")/.." && exec "${PYTHON:-python}" -m samples "$@"
