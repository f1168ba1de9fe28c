#!/usr/bin/env python3
"""tuning/ray_tune.py on a local Ray cluster: the tiny suite at 1 and 2 threads in 2 shards, with
shard 0's worker killed once it has measured a config. Ray retries the shard; the merged database
holds exactly the requested (problem, threads) keys, each measurement once, and
`convgen bench --schedules tuned` runs on it; the killed worker's convgen child died with it.

Usage: ray_tune_test.py VENV_PYTHON RAY_TUNE_PY CONVGEN SUITE"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

python, ray_tune, convgen, suite = sys.argv[1:5]
TRIALS = 3


def processes():
    """(pid, parent pid, argv) of every process."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = [a.decode() for a in f.read().split(b"\0") if a]
            with open(f"/proc/{entry}/stat") as f:
                parent = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        yield int(entry), parent, argv


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def kill_worker_of_shard(shard, finished, killed):
    """Kills the Ray worker running `convgen tune --shard SHARD` once its database has a record;
    notes whether that convgen still runs a while later."""
    while not finished.is_set():
        for pid, worker, argv in processes():
            if argv[:1] != [convgen] or "--shard" not in argv or argv[argv.index("--shard") + 1] != shard:
                continue
            db = argv[argv.index("--db") + 1]
            if os.path.exists(db) and os.path.getsize(db) > 0:
                os.kill(worker, signal.SIGKILL)
                time.sleep(0.5)  # less than a trial: an orphan would still be measuring
                killed.append((worker, alive(pid), os.path.dirname(db)))
                return
        time.sleep(0.05)


def records(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


with tempfile.TemporaryDirectory() as tmp:
    db = os.path.join(tmp, "merged.jsonl")
    env = dict(os.environ, CONVGEN_CACHE_DIR=os.path.join(tmp, "cache"), RAY_USAGE_STATS_ENABLED="0")
    killed, finished = [], threading.Event()
    killer = threading.Thread(target=kill_worker_of_shard, args=("0/2", finished, killed))
    killer.start()
    try:
        run = subprocess.run([python, ray_tune, "--convgen", convgen, "--suite", suite, "--threads", "1,2",
                              "--trials", str(TRIALS), "--shards", "2", "--db", db],
                             capture_output=True, text=True, env=env, timeout=240)
    finally:
        finished.set()
        killer.join()
    for _, _, partial in killed:  # the killed attempt never cleaned up its directory
        shutil.rmtree(partial, ignore_errors=True)
    assert run.returncode == 0, f"ray_tune.py failed ({run.returncode}):\n{run.stdout}\n{run.stderr[-4000:]}"
    assert killed, f"shard 0/2's worker was never seen measuring:\n{run.stdout}\n{run.stderr[-4000:]}"
    assert not killed[0][1], "convgen outlived its killed worker"
    print(run.stdout, end="")
    assert "[2/2 shards" in run.stdout, run.stdout

    merged = records(db)
    keys = {(r["spec_key"], r["threads"]) for r in merged}
    problems = {r["spec_key"] for r in merged}
    assert len(problems) == 2 and keys == {(p, t) for p in problems for t in (1, 2)}, keys
    # A config's search timing and its confirmation timing are distinct measurements.
    measurements = [(r["spec_key"], r["threads"], r["family"], r["config"], r.get("confirmed", False)) for r in merged]
    assert len(measurements) == len(set(measurements)), f"a measurement twice: {measurements}"
    for key in keys:
        count = sum(1 for m in measurements if m[:2] == key and not m[4])
        assert 1 <= count <= TRIALS, f"{key}: {count} records for {TRIALS} trials"

    bench = subprocess.run([convgen, "bench", "--suite", suite, "--schedules", "tuned", "--min-time", "0.01",
                            "--threads", "1", "--format", "json"],
                           capture_output=True, text=True, env=dict(env, CONVGEN_TUNING_DB=db))
    assert bench.returncode == 0, bench.stderr
    assert any(r["schedule"] == "tuned" for r in json.loads(bench.stdout)["records"]), bench.stdout
print(f"ray_tune: ok ({len(merged)} records; killed worker {killed[0][0]} of shard 0/2 mid-run)")
