"""`convgen run block` against PyTorch (Debian's python3-torch is the oracle).

Each block (an inverted residual with stride 1 and its residual add, one with stride 2, a
ResNet bottleneck with reflect padding and a ReLU after the add, a depthwise-separable pair with
a given residual) gets random weights and input as .npy files; convgen runs it fused and layer by
layer in both layouts, and each output must match the same chain in PyTorch (max |diff| /
max |expected| <= 1e-4). Bad inputs must exit 2 with an `error:` line naming the problem and
write no output.

usage: run_block.py --convgen PATH
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F

TOLERANCE = 1e-4


def conv(out, k, stride=1, groups=1, activation="none", bias=True, padding_mode="zeros"):
    return {"out_channels": out, "kernel": [k, k], "stride": [stride, stride], "padding": [k // 2, k // 2],
            "dilation": [1, 1], "groups": groups, "bias": bias, "padding_mode": padding_mode,
            "activation": activation}


def block(name, C, H, W, layers, residual="none", activation="none", N=1):
    return {"net": "test", "name": name, "N": N, "C": C, "H": H, "W": W, "layers": layers,
            "residual": residual, "activation": activation}


BLOCKS = [
    block("inverted_residual_s1", 8, 9, 11,
          [conv(24, 1, activation="relu6"), conv(24, 3, groups=24, activation="relu6"), conv(8, 1)], residual="input"),
    block("inverted_residual_s2", 8, 13, 10,
          [conv(16, 1, activation="relu6"), conv(16, 3, stride=2, groups=16, activation="relu6"), conv(12, 1)], N=2),
    block("bottleneck", 16, 10, 10,
          [conv(4, 1, activation="relu"), conv(4, 3, activation="relu", padding_mode="reflect"), conv(16, 1, bias=False)],
          residual="input", activation="relu"),
    block("depthwise_separable_given_residual", 8, 12, 7,
          [conv(8, 3, groups=8, activation="relu", padding_mode="replicate"), conv(16, 1, activation="relu")],
          residual="given", activation="relu6"),
]

ACTIVATIONS = {"none": lambda x: x, "relu": F.relu, "relu6": F.relu6}


def input_channels(spec):
    channels = [spec["C"]]
    for layer in spec["layers"]:
        channels.append(layer["out_channels"])
    return channels


def random_arrays(spec, rng):
    """Input, per-layer weight and bias (bias None where the layer has none), in PyTorch's shapes."""
    x = rng.uniform(-1, 1, size=(spec["N"], spec["C"], spec["H"], spec["W"])).astype(np.float32)
    params = []
    for layer, in_channels in zip(spec["layers"], input_channels(spec)):
        kh, kw = layer["kernel"]
        fan_in = in_channels // layer["groups"] * kh * kw
        bound = 1 / np.sqrt(fan_in)
        w = rng.uniform(-bound, bound, size=(layer["out_channels"], in_channels // layer["groups"], kh, kw))
        b = rng.uniform(-bound, bound, size=layer["out_channels"]) if layer["bias"] else None
        params.append((w.astype(np.float32), None if b is None else b.astype(np.float32)))
    return x, params


def reference(spec, x, params, residual=None):
    y = torch.from_numpy(x)
    for layer, (w, b) in zip(spec["layers"], params):
        ph, pw = layer["padding"]
        padding = layer["padding"]
        if layer["padding_mode"] != "zeros":
            y = F.pad(y, (pw, pw, ph, ph), mode=layer["padding_mode"])
            padding = 0
        y = F.conv2d(y, torch.from_numpy(w), None if b is None else torch.from_numpy(b), stride=layer["stride"],
                     padding=padding, dilation=layer["dilation"], groups=layer["groups"])
        y = ACTIVATIONS[layer["activation"]](y)
    if spec["residual"] == "input":
        y = y + torch.from_numpy(x)
    elif spec["residual"] == "given":
        y = y + torch.from_numpy(residual)
    return ACTIVATIONS[spec["activation"]](y).numpy()


def channels_last(array):
    return np.ascontiguousarray(np.moveaxis(array, 1, -1))


class Files:
    """A block's spec, weights directory and input written to a temporary directory."""

    def __init__(self, workdir, spec, x, params, residual=None, layout="nchw"):
        self.workdir, self.layout = workdir, layout
        self.spec = os.path.join(workdir, "block.json")
        with open(self.spec, "w") as f:
            json.dump(spec, f)
        self.weights = os.path.join(workdir, "weights")
        os.makedirs(self.weights, exist_ok=True)
        for name in os.listdir(self.weights):
            os.remove(os.path.join(self.weights, name))
        for i, (w, b) in enumerate(params):
            np.save(os.path.join(self.weights, f"layer{i}.weight.npy"), w)
            if b is not None:
                np.save(os.path.join(self.weights, f"layer{i}.bias.npy"), b)
        to_file = channels_last if layout == "nhwc" else (lambda a: a)
        self.input = os.path.join(workdir, "x.npy")
        np.save(self.input, to_file(x))
        self.residual = None
        if residual is not None:
            self.residual = os.path.join(workdir, "r.npy")
            np.save(self.residual, to_file(residual))
        self.output = os.path.join(workdir, "y.npy")

    def run(self, convgen, fusion, extra=()):
        if os.path.exists(self.output):
            os.remove(self.output)
        cmd = [convgen, "run", "block", "--spec", self.spec, "--input", self.input, "--weights-dir", self.weights,
               "--output", self.output, "--layout", self.layout, "--fusion", fusion, *extra]
        if self.residual:
            cmd += ["--residual", self.residual]
        return cmd, subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def relative_error(actual, expected):
    if actual.shape != expected.shape:
        return float("inf")
    return float(np.max(np.abs(actual - expected)) / max(np.max(np.abs(expected)), 1e-30))


def check_matches(convgen, workdir, failures):
    rng = np.random.default_rng(12)
    for spec in BLOCKS:
        x, params = random_arrays(spec, rng)
        residual = None
        if spec["residual"] == "given":
            out_shape = reference({**spec, "residual": "none"}, x, params).shape
            residual = rng.uniform(-1, 1, size=out_shape).astype(np.float32)
        expected = reference(spec, x, params, residual)
        for layout in ("nchw", "nhwc"):
            files = Files(workdir, spec, x, params, residual, layout)
            for fusion in ("fused", "layers"):
                cmd, proc = files.run(convgen, fusion)
                label = f"{spec['name']} {layout} {fusion}"
                if proc.returncode != 0:
                    failures.append(f"{label}: exit {proc.returncode}: {proc.stderr.strip()}\n  {' '.join(cmd)}")
                    continue
                actual = np.load(files.output)
                if layout == "nhwc":
                    actual = np.ascontiguousarray(np.moveaxis(actual, -1, 1))
                error = relative_error(actual, expected)
                print(f"{label}: relative error {error:.2e}")
                if not error <= TOLERANCE:
                    failures.append(f"{label}: relative error {error:.2e} > {TOLERANCE} (shape {actual.shape}, "
                                    f"expected {expected.shape})")


def check_refused(convgen, workdir, failures):
    """Each bad input exits 2 with one error line containing `message`, and writes no output."""
    rng = np.random.default_rng(3)
    good = BLOCKS[0]
    x, params = random_arrays(good, rng)

    def expect_refused(label, files, message, extra=(), fusion="fused"):
        cmd, proc = files.run(convgen, fusion, extra)
        ok = proc.returncode == 2 and "error:" in proc.stderr and message in proc.stderr
        if not ok or os.path.exists(files.output):
            failures.append(f"refused {label}: expected exit 2 and '{message}', got exit {proc.returncode}, "
                            f"stderr {proc.stderr.strip()!r}, output written: {os.path.exists(files.output)}")
        else:
            print(f"refused {label}: {proc.stderr.strip()}")

    # A depthwise layer whose groups do not divide the channels its predecessor gives it.
    spec = json.loads(json.dumps(good))
    spec["layers"][1]["groups"] = 16
    spec["layers"][1]["out_channels"] = 16
    expect_refused("groups not dividing the channels", Files(workdir, spec, x, params), "divisible by groups")
    # A residual add of the input onto an output with other channels.
    spec = json.loads(json.dumps(good))
    spec["layers"][2]["out_channels"] = 12
    bad_params = params[:2] + [(rng.uniform(-1, 1, size=(12, 24, 1, 1)).astype(np.float32),
                                rng.uniform(-1, 1, size=12).astype(np.float32))]
    expect_refused("residual with other channels", Files(workdir, spec, x, bad_params), "error:")
    # An input whose channels are not the spec's.
    wide_x = rng.uniform(-1, 1, size=(1, 12, 9, 11)).astype(np.float32)
    expect_refused("input channels not the spec's", Files(workdir, good, wide_x, params), "channels")
    # A weight of the wrong shape: the error names the file.
    wrong = list(params)
    wrong[1] = (rng.uniform(-1, 1, size=(24, 2, 3, 3)).astype(np.float32), params[1][1])
    expect_refused("wrong weight shape", Files(workdir, good, x, wrong), "layer1.weight.npy")
    # A missing weight file.
    files = Files(workdir, good, x, params)
    os.remove(os.path.join(files.weights, "layer2.weight.npy"))
    expect_refused("missing weight", files, "layer2.weight.npy")
    # A bias file for a layer the spec gives no bias.
    spec = json.loads(json.dumps(good))
    spec["layers"][0]["bias"] = False
    expect_refused("bias the spec does not have", Files(workdir, spec, x, params), "layer0.bias.npy")
    # A spec lacking a field, and one that is not JSON.
    spec = json.loads(json.dumps(good))
    del spec["layers"][1]["stride"]
    expect_refused("spec without a field", Files(workdir, spec, x, params), "layers[1].stride")
    files = Files(workdir, good, x, params)
    with open(files.spec, "w") as f:
        f.write('{"net": "test", "layers": [')
    expect_refused("spec not JSON", files, "invalid JSON")
    # A residual file for a spec that adds the input, and options that belong to single ops.
    files = Files(workdir, good, x, params)
    expect_refused("--residual with residual input", files, "--residual", ["--residual", files.input])
    expect_refused("--stride for a block", files, "--stride does not apply to block", ["--stride", "2"])
    expect_refused("unknown fusion", files, "--fusion", fusion="sometimes")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--convgen", required=True)
    args = parser.parse_args()
    failures = []
    with tempfile.TemporaryDirectory() as workdir:
        check_matches(args.convgen, workdir, failures)
        check_refused(args.convgen, workdir, failures)
    if failures:
        print("\n".join(["FAILED:"] + failures))
        sys.exit(1)
    print("all block runs match PyTorch and every bad input is refused")


if __name__ == "__main__":
    main()
