"""Checks a `convgen bench --blocks --format json` report: every (block, threads) has a record for
each convgen variant, each oneDNN row, the fastest of each side ("best", "onednn") and the FMA-peak
bound, with the fields the issue asks for,
GFLOP/s from the block's own multiply-adds (counted here from the suite), and totals per network;
nothing failed.
usage: check_block_bench_report.py REPORT.json SUITE.jsonl THREADS(e.g. 1,2)"""
import json
import sys

CONVGEN = ["fused", "layers", "auto", "auto_winograd"]
ONEDNN = ["onednn_layers", "onednn_dw", "onednn_winograd"]
VARIANTS = CONVGEN + ONEDNN + ["best", "onednn", "at_peak"]


def block_flops(block):
    """2 x multiply-adds of the block's convs (PyTorch's output-size formula per layer)."""
    channels, height, width, total = block["C"], block["H"], block["W"], 0
    for layer in block["layers"]:
        sizes = []
        for extent, k, s, p, d in zip((height, width), layer["kernel"], layer["stride"], layer["padding"],
                                      layer["dilation"]):
            sizes.append((extent + 2 * p - d * (k - 1) - 1) // s + 1)
        out = layer["out_channels"]
        total += 2 * block["N"] * sizes[0] * sizes[1] * out * (channels // layer["groups"]) * \
            layer["kernel"][0] * layer["kernel"][1]
        channels, (height, width) = out, sizes
    return total


def main(path, suite, threads):
    with open(path) as f:
        report = json.load(f)
    with open(suite) as f:
        blocks = [json.loads(line) for line in f if line.strip()]
    assert not report["failures"], f"failed measurements: {report['failures']}"
    records = report["records"]
    peak = {int(t): g for t, g in report["fma_peak_gflops"].items()}
    assert sorted(peak) == sorted(threads) and all(g > 0 for g in peak.values()), peak
    flops = {b["name"]: block_flops(b) for b in blocks}
    for record in records:
        missing = {"net", "block", "schedule", "threads", "ms", "count", "plan", "gflops", "peak_percent"} - record.keys()
        assert not missing, f"record {record} lacks {missing}"
        assert record["ms"] > 0, record
        gflops = flops[record["block"]] / record["ms"] / 1e6
        assert abs(record["gflops"] - gflops) <= 1e-6 * gflops, (record, gflops)
        percent = 100 * gflops / peak[record["threads"]]
        assert abs(record["peak_percent"] - percent) <= 1e-6 * percent, (record, percent)
        if record["schedule"] == "at_peak":
            assert abs(record["peak_percent"] - 100) < 1e-6, record
    expected = {(b["name"], t, v) for b in blocks for t in threads for v in VARIANTS}
    found = [(r["block"], r["threads"], r["schedule"]) for r in records]
    assert sorted(found) == sorted(expected), f"records {sorted(found)}, expected each of {sorted(expected)} once"
    for b in blocks:
        for r in records:
            if r["block"] == b["name"]:
                assert r["net"] == b["net"] and r["count"] == b.get("count", 1), r
    for best_row, rows in (("onednn", ONEDNN), ("best", CONVGEN)):
        best = {(r["block"], r["threads"]): r for r in records if r["schedule"] == best_row}
        for r in records:
            if r["schedule"] in rows:
                assert best[(r["block"], r["threads"])]["ms"] <= r["ms"], f"{best_row} is not the fastest: {r}"
                if best[(r["block"], r["threads"])]["plan"] == r["schedule"]:
                    assert best[(r["block"], r["threads"])]["ms"] == r["ms"], r
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
