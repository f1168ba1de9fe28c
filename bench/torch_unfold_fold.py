"""PyTorch's F.unfold / F.fold on the benchmark's window cases, for the comparison in the README.
usage: /usr/bin/python3 torch_unfold_fold.py SUITE.jsonl [threads]   (prints median ms per case)"""
import json
import sys
import time

import torch
import torch.nn.functional as F


def median_ms(fn, min_seconds=0.2, min_repeats=5):
    fn()
    times = []
    while len(times) < min_repeats or sum(times) < min_seconds * 1000:
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return sorted(times)[len(times) // 2]


def main(suite, threads):
    torch.set_num_threads(threads)
    seen = set()
    for line in open(suite):
        layer = json.loads(line)
        k, s, p = layer["kernel"][0], layer["stride"][0], layer["padding"][0]
        if k == 1 or layer["kernel"][1] != k or layer["dilation"][0] != 1 or layer["groups"] != 1:
            continue
        name = f"unfold_c{layer['C']}_{layer['H']}x{layer['W']}_k{k}s{s}p{p}"
        if name in seen:
            continue
        seen.add(name)
        x = torch.rand(layer["N"], layer["C"], layer["H"], layer["W"])
        cols = F.unfold(x, k, padding=p, stride=s)
        unfold_ms = median_ms(lambda: F.unfold(x, k, padding=p, stride=s))
        fold_ms = median_ms(lambda: F.fold(cols, (layer["H"], layer["W"]), k, padding=p, stride=s))
        print(f"{name} threads={threads} torch_unfold_ms={unfold_ms:.4f} torch_fold_ms={fold_ms:.4f}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1)
