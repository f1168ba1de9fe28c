"""`convgen cache stats|list|prune|clear` on a scratch cache directory: output and exit status.

Usage: cache_cli.py CONVGEN SCRATCH_DIR. Two `convgen run`s of one conv give a miss and then a
hit in another process; bad arguments exit 2 with one "error:" line.
"""
import os
import re
import shutil
import subprocess
import sys

import numpy as np

convgen, scratch = sys.argv[1], sys.argv[2]
shutil.rmtree(scratch, ignore_errors=True)
os.makedirs(scratch)
cache = os.path.join(scratch, "cache")
env = dict(os.environ, CONVGEN_CACHE_DIR=cache)
env.pop("CONVGEN_CACHE", None)
env.pop("CONVGEN_CACHE_MAX_MB", None)
failures = []


def convgen_run(*args, status=0, extra_env=None):
    result = subprocess.run([convgen, *args], env=dict(env, **(extra_env or {})), capture_output=True, text=True)
    if result.returncode != status:
        failures.append(f"{args}: exit {result.returncode}, expected {status}\n{result.stdout}{result.stderr}")
    return result


def expect(condition, what, result):
    if not condition:
        failures.append(f"{what}\nstdout:\n{result.stdout}stderr:\n{result.stderr}")


def stats(**kwargs):
    result = convgen_run("cache", "stats", **kwargs)
    return dict(line.split(None, 1) for line in result.stdout.splitlines()), result


fields, result = stats()
expect(fields.get("entries") == "0" and fields.get("hits") == "0", "a new cache is empty", result)
expect(fields.get("directory") == cache and fields.get("cap") == "1024.0 MiB", "directory and default cap", result)
result = convgen_run("cache", "list")
expect(result.stdout.startswith("no entries in "), "list of an empty cache", result)

x, w = os.path.join(scratch, "x.npy"), os.path.join(scratch, "w.npy")
np.save(x, np.random.default_rng(1).standard_normal((1, 3, 6, 6), dtype=np.float32))
np.save(w, np.random.default_rng(2).standard_normal((4, 3, 3, 3), dtype=np.float32))
for _ in range(2):  # compiled and stored, then loaded by the second process
    convgen_run("run", "conv2d", "--input", x, "--weight", w, "--padding", "1", "--output", os.path.join(scratch, "y.npy"))
fields, result = stats()
expect(fields.get("entries") == "1" and fields.get("hits") == "1" and fields.get("misses") == "1",
       "one entry, one miss then one hit across processes", result)

result = convgen_run("cache", "list")
lines = result.stdout.splitlines()
expect(len(lines) == 2 and re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +\d+  \S+\|tuned\|conv n1 c3 ", lines[1]),
       "list: header, then last use, bytes and key", result)

result = convgen_run("cache", "prune", "--max-mb", "64")
expect(result.stdout.startswith("removed 0 entries") and "1 entry (" in result.stdout, "prune under the cap keeps", result)

for bad in (["cache"], ["cache", "nonsense"], ["cache", "prune", "--max-mb", "0"], ["cache", "prune", "--max-mb", "lots"],
            ["cache", "prune", "--max-mb", "1.5"], ["cache", "stats", "--extra"]):
    result = convgen_run(*bad, status=2)
    expect(result.stderr.startswith("error: ") and result.stdout == "", f"{bad}: one error line", result)
result = convgen_run("cache", "stats", status=2, extra_env={"CONVGEN_CACHE_DIR": x})
expect("is not a directory" in result.stderr, "a file as the cache directory", result)

fields, result = stats(extra_env={"CONVGEN_CACHE_MAX_MB": "12"})
expect(fields.get("cap") == "12.0 MiB", "CONVGEN_CACHE_MAX_MB sets the cap", result)
for bad_cap in ("0", "-3", "12MB", ""):
    fields, result = stats(extra_env={"CONVGEN_CACHE_MAX_MB": bad_cap})
    expect(fields.get("cap") == "1024.0 MiB" and "warning: CONVGEN_CACHE_MAX_MB" in result.stderr,
           f"CONVGEN_CACHE_MAX_MB={bad_cap!r} warns and keeps the default", result)

result = convgen_run("cache", "clear")
expect(result.stdout.startswith("removed 1 entry") and "0 entries (0.0 MiB) remain" in result.stdout, "clear", result)
fields, result = stats()
expect(fields.get("entries") == "0" and fields.get("hits") == "0" and fields.get("misses") == "0",
       "clear empties the cache and resets the counts", result)

shutil.rmtree(scratch, ignore_errors=True)
if failures:
    print("\n\n".join(failures))
    sys.exit(1)
print("convgen cache: all checks passed")
