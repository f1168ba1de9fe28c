"""Checks a `convgen bench --blocks --format json` report: every (block, threads) has a record for
each convgen variant and each oneDNN row, with the fields the issue asks for, and totals per
network; nothing failed.
usage: check_block_bench_report.py REPORT.json SUITE.jsonl THREADS(e.g. 1,2)"""
import json
import sys

VARIANTS = ["fused", "layers", "auto", "onednn_layers", "onednn_dw", "onednn"]


def main(path, suite, threads):
    with open(path) as f:
        report = json.load(f)
    with open(suite) as f:
        blocks = [json.loads(line) for line in f if line.strip()]
    assert not report["failures"], f"failed measurements: {report['failures']}"
    records = report["records"]
    for record in records:
        missing = {"net", "block", "schedule", "threads", "ms", "count", "plan"} - record.keys()
        assert not missing, f"record {record} lacks {missing}"
        assert record["ms"] > 0, record
    expected = {(b["name"], t, v) for b in blocks for t in threads for v in VARIANTS}
    found = [(r["block"], r["threads"], r["schedule"]) for r in records]
    assert sorted(found) == sorted(expected), f"records {sorted(found)}, expected each of {sorted(expected)} once"
    for b in blocks:
        for r in records:
            if r["block"] == b["name"]:
                assert r["net"] == b["net"] and r["count"] == b.get("count", 1), r
    best = {(r["block"], r["threads"]): r for r in records if r["schedule"] == "onednn"}
    for r in records:
        if r["schedule"] in ("onednn_layers", "onednn_dw"):
            assert best[(r["block"], r["threads"])]["ms"] <= r["ms"], f"onednn is not the faster oneDNN row: {r}"
    for total in report["totals"]:
        assert total["blocks"] == total["blocks_in_net"], total
        summed = sum(r["count"] * r["ms"] for r in records
                     if r["net"] == total["net"] and r["schedule"] == total["schedule"]
                     and r["threads"] == total["threads"])
        assert abs(total["ms"] - summed) <= 1e-9 * max(1.0, summed), (total, summed)
    assert {(t["net"], t["schedule"], t["threads"]) for t in report["totals"]} == \
        {(b["net"], v, t) for b in blocks for t in threads for v in VARIANTS}, report["totals"]


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], [int(t) for t in sys.argv[3].split(",")])
