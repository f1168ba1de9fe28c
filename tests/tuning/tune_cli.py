#!/usr/bin/env python3
"""`convgen tune` end to end on a tiny suite: records in the database, --resume measures nothing
twice, `convgen bench --schedules tuned` runs the tuned configs, `convgen compile --tuning-db`
generates the database's best config into an AOT kernel table, `--algorithms direct,winograd`
tunes both algorithms, `--shard I/N` splits the layers
and `--merge` folds databases into one, each measurement once."""
import json
import os
import subprocess
import sys
import tempfile

convgen, suite = sys.argv[1], sys.argv[2]


def run(*args, env=None):
    result = subprocess.run([convgen, *args], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        sys.exit(f"convgen {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result


def records(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


with tempfile.TemporaryDirectory() as tmp:
    db = os.path.join(tmp, "tuning.jsonl")
    env = dict(os.environ, CONVGEN_CACHE_DIR=os.path.join(tmp, "cache"), CONVGEN_TUNING_DB=db)
    first = run("tune", "--suite", suite, "--trials", "4", "--db", db, env=env)
    tuned = records(db)
    problems = {r["spec_key"] for r in tuned}
    assert len(problems) == 2, f"expected both layers' records, got {problems}"
    searched = [r for r in tuned if not r.get("confirmed")]
    assert 2 <= len(searched) <= 8, f"expected at most 4 trials per layer, got {len(searched)}"
    # Then the rules' config and up to 2 finalists are timed again in 2 interleaved rounds.
    confirmed = [r for r in tuned if r.get("confirmed")]
    assert len(confirmed) <= 2 * 2 * 3 and len(confirmed) % 2 == 0, confirmed
    for r in tuned:
        assert r["threads"] == 1 and r["ms"] > 0 and r["gflops"] >= 0 and r["machine"]["cpu_model"], r
    assert "tiny_3x3" in first.stdout and "network" in first.stdout, first.stdout

    run("tune", "--suite", suite, "--trials", "4", "--db", db, "--resume", env=env)
    assert len(records(db)) == len(tuned), "--resume measured configs again"

    report = json.loads(run("bench", "--suite", suite, "--threads", "1", "--schedules", "tuned",
                            "--min-time", "0.01", "--format", "json", env=env).stdout)
    assert any(r["schedule"] == "tuned" for r in report["records"]), report

    # The database's best: confirmed records first, then the fastest.
    best = min((r for r in tuned if "c16" in r["spec_key"]), key=lambda r: (not r.get("confirmed"), r["ms"]))
    out = os.path.join(tmp, "aot")
    run("compile", "--suite", suite, "--tuning-db", db, "--target", "host", "--name", "tiny", "-o", out,
        "--emit", "kernel_table", "--threads", "1", env=dict(env, CONVGEN_TUNING_DB="/nonexistent"))
    table = open(os.path.join(out, "tiny.kernels.cpp")).read()
    fields = dict(kv.split("=") for kv in best["config"].split()[1:])
    expected = f".vectors = {fields['vectors']}, .scalars = {fields['scalars']}"
    assert expected in table, f"the AOT table lacks the tuned config ({expected}):\n{table}"

    # --algorithms: a Winograd problem, in the winograd family, beside each direct one for every layer
    # Winograd applies to (here both: 3x3 stride-1 convs, the depthwise one too).
    both_db = os.path.join(tmp, "both.jsonl")
    run("tune", "--suite", suite, "--trials", "2", "--algorithms", "direct,winograd", "--db", both_db, env=env)
    winograd = {r["spec_key"] for r in records(both_db) if r["family"] == "winograd"}
    assert len(winograd) == 2 and all(" winograd" in key for key in winograd), winograd
    assert {r["spec_key"] for r in records(both_db)} - winograd == problems, records(both_db)

    bad = subprocess.run([convgen, "tune", "--suite", suite, "--threads", "0", "--db", db], capture_output=True, text=True)
    assert bad.returncode == 2 and "error" in bad.stderr, bad

    shards = [os.path.join(tmp, f"shard{i}.jsonl") for i in range(2)]
    for i, shard_db in enumerate(shards):
        run("tune", "--suite", suite, "--trials", "1", "--shard", f"{i}/2", "--db", shard_db, env=env)
    shard_problems = [{r["spec_key"] for r in records(f)} for f in shards]
    assert len(shard_problems[0]) == len(shard_problems[1]) == 1 and shard_problems[0] | shard_problems[1] == problems, \
        shard_problems
    empty = run("tune", "--suite", suite, "--shard", "5/6", "--db", os.path.join(tmp, "none.jsonl"), env=env)
    assert "no task" in empty.stdout and not os.path.exists(os.path.join(tmp, "none.jsonl")), empty.stdout
    for shard in ("0/0", "2/2", "1", "a/2", "1/2x", "-1/2"):
        bad = subprocess.run([convgen, "tune", "--suite", suite, "--shard", shard, "--db", db],
                             capture_output=True, text=True)
        assert bad.returncode == 2 and "--shard" in bad.stderr, (shard, bad)

    def measurements(path):
        return [(r["spec_key"], r["threads"], r["family"], r["config"], r.get("confirmed", False))
                for r in records(path)]
    distinct = set(measurements(db)) | set(measurements(shards[0])) | set(measurements(shards[1]))
    for _ in range(2):  # a second merge of the same files adds nothing
        run("tune", "--merge", *shards, "--db", db, env=env)
        assert sorted(measurements(db)) == sorted(distinct), measurements(db)
    bad = subprocess.run([convgen, "tune", "--merge", shards[0], "--suite", suite, "--db", db], capture_output=True, text=True)
    assert bad.returncode == 2 and "excludes" in bad.stderr, bad
print("tune_cli: ok")
