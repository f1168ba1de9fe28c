"""Checks a `convgen bench --format json` report: the keys the issue asks of every record, one
record per (layer, schedule, threads) with oneDNN's rows, and totals per network.
usage: check_bench_report.py REPORT.json EXPECTED_SCHEDULE"""
import json
import sys


def main(path, schedule):
    with open(path) as f:
        report = json.load(f)
    records = report["records"]
    keys = {"net", "layer", "schedule", "threads", "ms", "gflops"}
    for record in records:
        missing = keys - record.keys()
        assert not missing, f"record {record} lacks {missing}"
        assert record["ms"] > 0 and record["gflops"] > 0, record
    schedules = {r["schedule"] for r in records}
    for expected in (schedule, "onednn", "onednn_nchw"):
        assert expected in schedules, f"no {expected} record in {sorted(schedules)}"
    assert {t["net"] for t in report["totals"]} == {r["net"] for r in records}, report["totals"]
    assert report["fma_peak_gflops"], "no measured peak"


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
