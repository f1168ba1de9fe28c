#!/usr/bin/env python3
"""Tunes a suite on a Ray cluster: one Ray task per `convgen tune --shard I/N`, merged into one
database.

Each node declares one `convgen_timer` resource and every task asks for it, so a node times one
candidate at a time (two timings at once would disturb each other) while convgen compiles the
next candidate on its other cores. Nodes of a machine class may declare a resource of their own
instead (--resource), which lets a driver tune that class alone.

A task tunes into a file of its own and hands the records back; the driver merges only what
finished tasks returned, so a worker that dies mid-shard is retried by Ray and its partial file
is never counted (Ray kills a dead worker's child processes, so its convgen stops timing too).
Records keep the machine identity of the node that measured them, so a mixed cluster yields an
entry per machine class.

    tuning/ray_tune.py --convgen build/cli/convgen --suite bench/suites/conv2d_public.jsonl \\
        --threads 1,2 --shards 8 --db tuning.jsonl [--address HEAD:6379]

Without --address it starts a local cluster of this machine alone. convgen must be at the same
path on every node; the suite is sent to the tasks.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

try:
    import ray
except ImportError:
    sys.exit("ray_tune.py: needs Ray (pip install -r requirements.txt into the project's venv)")

TIMER = "convgen_timer"  # the default per-node resource: the node's right to time a candidate
RETRIES = 3  # attempts after a worker or node dies mid-shard


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--convgen", required=True, help="the convgen binary, at this path on every node")
    parser.add_argument("--suite", required=True, help="suite .jsonl file (read here, sent to the tasks)")
    parser.add_argument("--nets", help="networks to tune, comma-separated (default: all)")
    parser.add_argument("--layers", help="layer names to tune, comma-separated (default: all)")
    parser.add_argument("--threads", help="thread counts, e.g. 1,2 (default: convgen tune's)")
    parser.add_argument("--layouts", help="nchw and/or nhwc (default: convgen tune's)")
    parser.add_argument("--trials", type=int, help="most configs measured per layer and thread count")
    parser.add_argument("--budget-s", type=float, help="seconds for each shard, shared by its layers")
    parser.add_argument("--shards", type=int, required=True, help="how many tasks to split the work into")
    parser.add_argument("--db", required=True, help="database to merge the records into (its own are kept)")
    parser.add_argument("--address", help="a running cluster (HEAD:6379, or auto); default: a local one")
    parser.add_argument("--resource", default=TIMER,
                        help=f"the resource each node declares once and each shard takes (default: {TIMER})")
    args = parser.parse_args(argv)
    if args.shards < 1:
        parser.error("--shards must be at least 1")
    if not os.access(args.convgen, os.X_OK):
        parser.error(f"--convgen {args.convgen}: not an executable file")
    args.convgen = os.path.abspath(args.convgen)  # workers do not start in this directory
    return args


def tune_arguments(args):
    """The `convgen tune` options every shard shares."""
    passed = [("--nets", args.nets), ("--layers", args.layers), ("--threads", args.threads),
              ("--layouts", args.layouts), ("--trials", args.trials), ("--budget-s", args.budget_s)]
    return [text for name, value in passed if value is not None for text in (name, str(value))]


@ray.remote(max_retries=RETRIES)
def tune_shard(convgen, suite_name, suite_text, arguments, shard):
    with tempfile.TemporaryDirectory(prefix="convgen-shard-") as tmp:
        suite = os.path.join(tmp, suite_name)
        with open(suite, "w") as f:
            f.write(suite_text)
        db = os.path.join(tmp, "records.jsonl")
        started = time.monotonic()
        result = subprocess.run([convgen, "tune", "--suite", suite, *arguments, "--shard", shard, "--db", db],
                                capture_output=True, text=True)
        node = ray.util.get_node_ip_address()
        if result.returncode != 0:
            raise RuntimeError(f"convgen tune --shard {shard} on {node} exited {result.returncode}: "
                               f"{result.stderr.strip()[-2000:]}")
        records = ""
        if os.path.exists(db):
            with open(db) as f:
                records = f.read()
        return {"node": node, "records": records, "seconds": time.monotonic() - started}


def run_shards(args):
    """Each finished shard's result, by index; and each failed shard's error."""
    with open(args.suite) as f:
        suite_text = f.read()
    arguments = tune_arguments(args)
    task = tune_shard.options(resources={args.resource: 1})
    suite_name = os.path.basename(args.suite)
    pending = {task.remote(args.convgen, suite_name, suite_text, arguments, f"{i}/{args.shards}"): i
               for i in range(args.shards)}
    results, failures = {}, {}
    started = time.monotonic()
    while pending:
        [ref], _ = ray.wait(list(pending), num_returns=1)
        shard = pending.pop(ref)
        try:
            result = results[shard] = ray.get(ref)
            count = sum(1 for line in result["records"].splitlines() if line.strip())
            what = f"done on {result['node']} in {result['seconds']:.0f} s, {count} records"
        except ray.exceptions.RayError as error:
            failures[shard] = error
            what = f"FAILED: {error}"
        print(f"[{len(results) + len(failures)}/{args.shards} shards, {time.monotonic() - started:.0f} s] "
              f"shard {shard}/{args.shards} {what}", flush=True)
    return results, failures


def merge(convgen, results, db):
    with tempfile.TemporaryDirectory(prefix="convgen-merge-") as tmp:
        files = []
        for shard, result in sorted(results.items()):
            files.append(os.path.join(tmp, f"shard-{shard}.jsonl"))
            with open(files[-1], "w") as f:
                f.write(result["records"])
        if files and subprocess.run([convgen, "tune", "--merge", *files, "--db", db]).returncode != 0:
            sys.exit(f"ray_tune.py: could not merge the shards' records into {db}")


def main(argv):
    args = parse_args(argv)
    if args.address:
        ray.init(address=args.address)
    else:
        ray.init(resources={args.resource: 1})
    timers = int(ray.cluster_resources().get(args.resource, 0))
    if timers < 1:
        sys.exit(f"ray_tune.py: no node of the cluster declares the {args.resource} resource: start each with "
                 f"ray start ... --resources='{{\"{args.resource}\": 1}}'")
    print(f"tuning {args.suite} in {args.shards} shards on {timers} node(s)", flush=True)
    results, failures = run_shards(args)
    merge(args.convgen, results, args.db)
    if failures:
        kept = f"the others' records are in {args.db}" if results else "nothing was merged"
        sys.exit(f"ray_tune.py: {len(failures)} shard(s) failed ({', '.join(map(str, sorted(failures)))}); {kept}")


if __name__ == "__main__":
    main(sys.argv[1:])
