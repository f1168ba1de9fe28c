"""`convgen check` on kernels built for a `-profile` target: Halide's profiler report comes out
and the process exits cleanly (the report once read the names of kernels already unloaded)."""
import os
import subprocess
import sys
import tempfile

convgen, suite = sys.argv[1], sys.argv[2]
with tempfile.TemporaryDirectory() as cache:
    env = dict(os.environ, HL_JIT_TARGET="host-profile", CONVGEN_CACHE_DIR=cache)
    run = subprocess.run([convgen, "check", "--suite", suite, "--nets", "tiny"], env=env,
                         capture_output=True, text=True, timeout=600)
sys.stdout.write(run.stdout)
sys.stderr.write(run.stderr)
assert run.returncode == 0, f"convgen check exited with {run.returncode}"
assert "total time" in run.stdout, "no profiler report"
assert ", 0 failed" in run.stdout, "a layer failed its check"
