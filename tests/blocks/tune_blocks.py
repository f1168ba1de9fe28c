#!/usr/bin/env python3
"""`convgen tune --blocks` end to end on a one-block suite: a record per candidate (layer by
layer and the fused strip configs) in the database, and a block with fusion Auto then runs what
the database measured fastest: layer by layer, or that fused config."""
import json
import os
import subprocess
import sys
import tempfile

convgen, suite = sys.argv[1], sys.argv[2]


def run(*args, env):
    result = subprocess.run([convgen, *args], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        sys.exit(f"convgen {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result


def records(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def auto_plan(env):
    report = json.loads(run("bench", "--blocks", "--suite", suite, "--threads", "1", "--schedules", "auto",
                            "--min-time", "0.01", "--format", "json", env=env).stdout)
    plans = [r["plan"] for r in report["records"] if r["schedule"] == "auto"]
    assert len(plans) == 1, report
    return plans[0]


with tempfile.TemporaryDirectory() as tmp:
    db = os.path.join(tmp, "tuning.jsonl")
    env = dict(os.environ, CONVGEN_CACHE_DIR=os.path.join(tmp, "cache"), CONVGEN_TUNING_DB=db)
    tuned = run("tune", "--blocks", "--suite", suite, "--threads", "1", "--db", db, env=env)
    assert "tiny_inverted_residual" in tuned.stdout and "network" in tuned.stdout, tuned.stdout
    measured = records(db)
    configs = {r["config"] for r in measured}
    assert len(configs) == len(measured) >= 3, f"expected distinct candidates, got {configs}"
    assert "unfused" in configs and any(c.startswith("strip_rows=") for c in configs), configs
    for r in measured:
        assert r["family"] == "chain" and r["spec_key"].startswith("chain {conv") and r["threads"] == 1, r
        assert r["ms"] > 0 and r["gflops"] > 0, r

    # Make each choice the fastest in turn: Auto must follow the database.
    fused = next(c for c in configs if c.startswith("strip_rows="))
    for config, expected, ms in (("unfused", "layer_by_layer", 1e-6), (fused, f"fused({fused})", 1e-7)):
        fastest = dict(measured[0], config=config, ms=ms)
        with open(db, "a") as f:
            f.write(json.dumps(fastest) + "\n")
        plan = auto_plan(env)
        assert plan == expected, f"Auto ran {plan}, expected {expected} (the database's fastest)"

    bad = subprocess.run([convgen, "tune", "--blocks", "--suite", suite, "--layers", "x", "--db", db],
                         capture_output=True, text=True, env=env)
    assert bad.returncode != 0 and "excludes" in bad.stderr, bad
print("ok")
