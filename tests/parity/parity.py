"""Parity of the convgen CLI with PyTorch (Debian's python3-torch is the oracle).

Each case writes random float32 .npy inputs, runs `convgen run`, and compares the output with
PyTorch on the same tensors (max |diff| / max |expected| <= 1e-4). Invalid cases must exit 2 with
one `error: ...` line naming the problem, write no output, and be rejected by PyTorch too.

usage: parity.py --convgen PATH --group NAME     (groups: see GROUPS at the bottom)
"""
import argparse
import itertools
import os
import subprocess
import sys
import tempfile

import warnings

import numpy as np
import torch
import torch.nn.functional as F

TOLERANCE = 1e-4
warnings.filterwarnings("ignore", message="Using padding=.same. with even kernel")
MODES = ["zeros", "reflect", "replicate", "circular"]


def spatial(value):
    """A CLI value: an int, a pair, or a string such as 'same'."""
    if isinstance(value, (tuple, list)):
        return ",".join(str(v) for v in value)
    return str(value)


class Case:
    def __init__(self, name, op, tensors, options, expected=None, error=None, layout="nchw", check=None):
        self.name, self.op, self.tensors, self.options = name, op, tensors, options
        self.expected, self.error, self.layout, self.check = expected, error, layout, check


def random_tensors(shapes, seed):
    rng = np.random.default_rng(seed)
    out = {}
    for name, shape in shapes.items():
        if name == "bn_var":
            out[name] = (rng.random(shape) + 0.5).astype(np.float32)
        else:
            out[name] = rng.uniform(-1, 1, size=shape).astype(np.float32)
    return out


def to_channels_last(array, spatial_rank):
    """NCHW (or unbatched CHW, NCL, CL) numpy array -> channels-last file layout."""
    channel_dim = 1 if array.ndim == spatial_rank + 2 else 0
    return np.ascontiguousarray(np.moveaxis(array, channel_dim, -1))


def run_cli(convgen, workdir, case, arrays):
    paths = {}
    for name, array in arrays.items():
        paths[name] = os.path.join(workdir, f"{name}.npy")
        np.save(paths[name], array)
    output = os.path.join(workdir, "out.npy")
    if os.path.exists(output):
        os.remove(output)
    cmd = [convgen, "run", case.op, "--output", output]
    for name, path in paths.items():
        cmd += ["--" + name.replace("_", "-"), path]
    for key, value in case.options.items():
        cmd += ["--" + key.replace("_", "-"), spatial(value)]
    if case.layout != "nchw":
        cmd += ["--layout", case.layout]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    return proc, output, cmd


def relative_error(actual, expected):
    if actual.shape != expected.shape:
        return float("inf")
    if expected.size == 0:
        return 0.0
    scale = float(np.abs(expected).max())
    diff = float(np.abs(actual.astype(np.float64) - expected.astype(np.float64)).max())
    return diff / scale if scale > 0 else diff


def run_case(convgen, case, seed):
    """Returns None on success, else a description of the failure."""
    arrays = random_tensors(case.tensors, seed)
    with tempfile.TemporaryDirectory() as workdir:
        torch_inputs = {k: torch.from_numpy(v) for k, v in arrays.items()}
        file_arrays = dict(arrays)
        rank = 1 if case.op.endswith("1d") else 2
        if case.layout == "nhwc":
            file_arrays["input"] = to_channels_last(arrays["input"], rank) if case.op != "fold" else arrays["input"]
        proc, output, cmd = run_cli(convgen, workdir, case, file_arrays)
        if case.error is not None:
            problems = []
            if proc.returncode != 2:
                problems.append(f"exit {proc.returncode}, expected 2")
            lines = proc.stderr.strip().splitlines()
            if len(lines) != 1 or not lines[0].startswith("error: "):
                problems.append(f"stderr is not one 'error:' line: {proc.stderr!r}")
            elif case.error not in lines[0]:
                problems.append(f"message {lines[0]!r} lacks {case.error!r}")
            if os.path.exists(output):
                problems.append("an output file was written")
            if case.expected is not None:
                try:
                    case.expected(torch_inputs)
                    problems.append("PyTorch accepts this input")
                except (RuntimeError, ValueError, IndexError, TypeError):
                    pass
            return "; ".join(problems) or None
        if proc.returncode != 0:
            return f"exit {proc.returncode}: {proc.stderr.strip()}\n    {' '.join(cmd)}"
        actual = np.load(output)
        with torch.no_grad():
            expected = case.expected(torch_inputs).numpy()
        if case.layout == "nhwc" and case.op != "unfold":
            expected = to_channels_last(expected, rank)
        error = relative_error(actual, expected)
        if error > TOLERANCE:
            return f"relative error {error:.3g} (shape {actual.shape} vs {expected.shape})\n    {' '.join(cmd)}"
        if case.check is not None:
            return case.check(convgen, arrays, actual)
    return None


# ----------------------------------------------------------------------------------- oracles

def torch_conv(rank, stride, padding, dilation, groups, mode, activation="none", bn=False):
    """nn.ConvNd semantics: padding_mode handled as nn.ConvNd does (F.pad, then padding 0)."""
    def run(t):
        module_cls = torch.nn.Conv1d if rank == 1 else torch.nn.Conv2d
        w = t["weight"]
        module = module_cls(w.shape[1] * groups, w.shape[0], tuple(w.shape[2:]), stride=stride, padding=padding,
                            dilation=dilation, groups=groups, bias="bias" in t, padding_mode=mode)
        with torch.no_grad():
            module.weight.copy_(w)
            if "bias" in t:
                module.bias.copy_(t["bias"])
            y = module(t["input"])
            if bn:
                y = F.batch_norm(y, t["bn_mean"], t["bn_var"], t.get("bn_weight"), t.get("bn_bias"), False, 0.0, 1e-5)
        return activate(y, activation)
    return run


def activate(y, activation):
    return {"none": lambda v: v, "relu": F.relu, "relu6": F.relu6}[activation](y)


def torch_conv_transpose(rank, stride, padding, output_padding, dilation, groups, activation="none"):
    fn = F.conv_transpose1d if rank == 1 else F.conv_transpose2d
    return lambda t: activate(fn(t["input"], t["weight"], t.get("bias"), stride, padding, output_padding, groups,
                                 dilation), activation)


# ------------------------------------------------------------------------------------ groups

def conv_case(name, rank, input_shape, out_channels, kernel, stride=1, padding=0, dilation=1, groups=1, mode="zeros",
              bias=True, activation="none", layout="nchw", algorithm=None):
    in_channels = input_shape[-rank - 1]
    kernel = (kernel,) * rank if isinstance(kernel, int) else tuple(kernel)
    tensors = {"input": tuple(input_shape), "weight": (out_channels, in_channels // groups) + kernel}
    if bias:
        tensors["bias"] = (out_channels,)
    options = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups, "padding_mode": mode,
               "activation": activation}
    if algorithm:
        options["algorithm"] = algorithm
    op = f"conv{rank}d"
    return Case(name, op, tensors, options, torch_conv(rank, stride, padding, dilation, groups, mode, activation),
                layout=layout)


def conv2d_group():
    cases = []
    # The full padding matrix: every mode x stride x dilation x padding form.
    for mode, stride, dilation, padding in itertools.product(MODES, [1, 2, (2, 1)], [1, 2], [1, (2, 1), "same", "valid"]):
        if padding == "same" and stride != 1:
            continue
        name = f"{mode}_s{spatial(stride)}_d{dilation}_p{padding}"
        cases.append(conv_case(name, 2, (2, 3, 9, 10), 4, 3, stride, padding, dilation, mode=mode))
    for mode in MODES:  # 'same' with even kernels: the extra pad goes at the end
        for kernel in [2, 4, (2, 3), (4, 1)]:
            cases.append(conv_case(f"same_even_{mode}_k{spatial(kernel)}", 2, (1, 2, 7, 8), 3, kernel,
                                   padding="same", mode=mode))
            cases.append(conv_case(f"same_even_dilated_{mode}_k{spatial(kernel)}", 2, (1, 2, 9, 8), 2, kernel,
                                   padding="same", dilation=2, mode=mode))
    for mode, groups, out in itertools.product(MODES, [2, 4], [4, 8]):
        cases.append(conv_case(f"groups{groups}_out{out}_{mode}", 2, (1, 4, 7, 7), out, 3, padding=1, groups=groups,
                               mode=mode))
    for multiplier, stride in itertools.product([1, 2, 3], [1, 2]):
        cases.append(conv_case(f"depthwise_m{multiplier}_s{stride}", 2, (2, 6, 9, 9), 6 * multiplier, 3, stride, 1,
                               groups=6))
    for activation, bias in itertools.product(["none", "relu", "relu6"], [True, False]):
        cases.append(conv_case(f"act_{activation}_bias{bias}", 2, (1, 3, 6, 6), 5, 3, padding=1, bias=bias,
                               activation=activation))
    cases += [
        conv_case("unbatched", 2, (3, 8, 7), 4, 3, padding=1),
        conv_case("unbatched_reflect", 2, (3, 8, 7), 4, 3, padding=2, mode="reflect"),
        conv_case("zero_batch", 2, (0, 3, 8, 7), 4, 3, padding=1),
        conv_case("kernel7_stride2_pad3", 2, (1, 3, 23, 21), 8, 7, 2, 3),
        conv_case("asym_kernel", 2, (1, 3, 10, 12), 4, (1, 5), (1, 2), (0, 2)),
        conv_case("pad_equals_size_circular", 2, (1, 2, 3, 4), 2, 3, padding=(3, 4), mode="circular"),
        conv_case("pad_below_size_reflect", 2, (1, 2, 3, 4), 2, 3, padding=(2, 3), mode="reflect"),
        conv_case("large_replicate", 2, (1, 2, 3, 3), 2, 2, padding=5, mode="replicate"),
        conv_case("stride_gt_kernel", 2, (1, 2, 11, 11), 3, 2, 4),
        conv_case("1x1_batch3", 2, (3, 16, 5, 5), 8, 1),
        conv_case("dilation3_stride2", 2, (1, 3, 15, 14), 4, 3, 2, 3, 3),
        # Dilations as large as the map (atrous pyramids): taps that read only padding are skipped.
        conv_case("atrous_dead_taps", 2, (1, 4, 5, 5), 6, 3, padding=20, dilation=20),
        conv_case("atrous_partial_taps_same", 2, (1, 3, 9, 7), 4, 3, padding="same", dilation=6),
        conv_case("atrous_even_kernel_same", 2, (1, 2, 6, 7), 3, 4, padding="same", dilation=5),
        conv_case("atrous_stride2", 2, (1, 3, 11, 10), 4, 3, 2, 12, 12),
        conv_case("atrous_depthwise_nhwc", 2, (1, 6, 5, 6), 6, 3, padding=7, dilation=7, groups=6, layout="nhwc"),
        conv_case("atrous_reflect", 2, (1, 2, 9, 9), 3, 3, padding=4, dilation=4, mode="reflect"),
    ]
    return cases


def conv1d_group():
    cases = []
    for mode, stride, dilation, padding in itertools.product(MODES, [1, 3], [1, 2], [2, "same", "valid"]):
        if padding == "same" and stride != 1:
            continue
        cases.append(conv_case(f"{mode}_s{stride}_d{dilation}_p{padding}", 1, (2, 3, 17), 4, 3, stride, padding,
                               dilation, mode=mode))
    cases += [
        conv_case("same_even", 1, (1, 2, 9), 3, 4, padding="same"),
        conv_case("same_even_reflect", 1, (1, 2, 9), 3, 2, padding="same", mode="reflect"),
        conv_case("depthwise_multiplier", 1, (2, 4, 12), 8, 3, 1, 1, groups=4),
        conv_case("unbatched", 1, (3, 10), 2, 3, padding=1),
        conv_case("zero_batch", 1, (0, 3, 10), 2, 3),
        conv_case("relu6_nhwc", 1, (2, 3, 11), 5, 3, padding=1, activation="relu6", layout="nhwc"),
        conv_case("atrous_dead_taps", 1, (2, 3, 6), 4, 3, padding=9, dilation=9),
    ]
    return cases


def transpose_case(name, rank, input_shape, out_channels, kernel, stride=1, padding=0, output_padding=0, dilation=1,
                   groups=1, bias=True, activation="none", layout="nchw", algorithm=None):
    in_channels = input_shape[-rank - 1]
    kernel = (kernel,) * rank if isinstance(kernel, int) else tuple(kernel)
    tensors = {"input": tuple(input_shape), "weight": (in_channels, out_channels // groups) + kernel}
    if bias:
        tensors["bias"] = (out_channels,)
    options = {"stride": stride, "padding": padding, "output_padding": output_padding, "dilation": dilation,
               "groups": groups, "activation": activation}
    if algorithm:
        options["algorithm"] = algorithm
    return Case(name, f"conv_transpose{rank}d", tensors, options,
                torch_conv_transpose(rank, stride, padding, output_padding, dilation, groups, activation),
                layout=layout)


def conv_transpose_group():
    cases = []
    for stride, padding, dilation, algorithm in itertools.product([1, 2, 3], [0, 1], [1, 2],
                                                                  ["direct", "unfold_matmul_fold"]):
        for output_padding in sorted({0, min(stride, dilation) - 1 + (1 if max(stride, dilation) > 1 else 0) - 1,
                                      max(stride, dilation) - 1}):
            if output_padding < 0:
                continue
            cases.append(transpose_case(f"s{stride}_p{padding}_d{dilation}_op{output_padding}_{algorithm}", 2,
                                        (2, 3, 5, 6), 4, 3, stride, padding, output_padding, dilation,
                                        algorithm=algorithm))
    cases += [
        transpose_case("groups2", 2, (1, 4, 5, 5), 6, 3, 2, 1, 1, groups=2),
        transpose_case("depthwise", 2, (1, 4, 5, 5), 4, 4, 2, 1, groups=4),
        transpose_case("depthwise_multiplier_umf", 2, (1, 3, 5, 4), 6, 3, 2, groups=3, algorithm="unfold_matmul_fold"),
        transpose_case("pair_options", 2, (1, 2, 4, 6), 3, (3, 4), (3, 2), (1, 0), (2, 1)),
        transpose_case("unbatched", 2, (3, 4, 5), 2, 3, 2, 1, 1),
        transpose_case("zero_batch", 2, (0, 3, 4, 5), 2, 3, 2),
        transpose_case("relu_nhwc", 2, (2, 3, 4, 5), 4, 3, 2, 1, 1, activation="relu", layout="nhwc"),
        transpose_case("no_bias", 2, (1, 3, 4, 4), 2, 2, 2, bias=False),
        transpose_case("1d_basic", 1, (2, 3, 7), 4, 3, 2, 1, 1),
        transpose_case("1d_groups_dilation", 1, (1, 4, 6), 6, 3, 1, 2, 1, 2, groups=2),
        transpose_case("1d_unbatched_umf", 1, (3, 6), 2, 4, 3, 1, 2, algorithm="unfold_matmul_fold"),
    ]
    return cases


def unfold_case(name, image, kernel, dilation=1, padding=0, stride=1, layout="nchw"):
    options = {"kernel_size": kernel, "dilation": dilation, "padding": padding, "stride": stride}
    return Case(name, "unfold", {"input": tuple(image)}, options,
                lambda t: F.unfold(t["input"], kernel, dilation, padding, stride), layout=layout)


def fold_case(name, image, kernel, dilation=1, padding=0, stride=1, layout="nchw"):
    unfolded = F.unfold(torch.zeros(image), kernel, dilation, padding, stride)
    size = tuple(image[-2:])
    options = {"output_size": size, "kernel_size": kernel, "dilation": dilation, "padding": padding, "stride": stride}
    return Case(name, "fold", {"input": tuple(unfolded.shape)}, options,
                lambda t: F.fold(t["input"], size, kernel, dilation, padding, stride), layout=layout)


def unfold_fold_group():
    cases = []
    windows = [(2, 1, 0, 1), (3, 1, 1, 1), (3, 1, 0, 2), ((2, 3), (2, 1), (1, 0), (1, 2)), (2, 1, 0, 3), (4, 2, 2, 2),
               (1, 1, 0, 1), ((3, 1), 1, (1, 0), (2, 1))]
    for kernel, dilation, padding, stride in windows:
        tag = f"k{spatial(kernel)}_d{spatial(dilation)}_p{spatial(padding)}_s{spatial(stride)}"
        for image in [(2, 3, 9, 8), (3, 7, 10)]:
            kind = "batched" if len(image) == 4 else "unbatched"
            cases.append(unfold_case(f"unfold_{tag}_{kind}", image, kernel, dilation, padding, stride))
            cases.append(fold_case(f"fold_{tag}_{kind}", image, kernel, dilation, padding, stride))
        cases.append(unfold_case(f"unfold_{tag}_nhwc", (2, 3, 9, 8), kernel, dilation, padding, stride, "nhwc"))
        cases.append(fold_case(f"fold_{tag}_nhwc", (2, 3, 9, 8), kernel, dilation, padding, stride, "nhwc"))
    cases += [
        unfold_case("unfold_zero_batch", (0, 2, 5, 5), 2),
        fold_case("fold_zero_batch", (0, 2, 5, 5), 2),
        fold_case("fold_overlapping_windows", (1, 1, 3, 3), 2),
    ]
    return cases


def identity_check(kernel, out_hw):
    """conv2d(x, w) == fold(w.view(O, -1) @ unfold(x, k), out_hw, (1, 1)), each step through the CLI."""
    def check(convgen, arrays, conv_output):
        x, w = arrays["input"], arrays["weight"]
        with tempfile.TemporaryDirectory() as d:
            np.save(f"{d}/x.npy", x)
            subprocess.run([convgen, "run", "unfold", "--input", f"{d}/x.npy", "--kernel-size", spatial(kernel),
                            "--output", f"{d}/cols.npy"], check=True, capture_output=True)
            cols = np.load(f"{d}/cols.npy")
            product = (w.reshape(w.shape[0], -1).astype(np.float64) @ cols.astype(np.float64)).astype(np.float32)
            np.save(f"{d}/prod.npy", product)
            subprocess.run([convgen, "run", "fold", "--input", f"{d}/prod.npy", "--output-size", spatial(out_hw),
                            "--kernel-size", "1", "--output", f"{d}/y.npy"], check=True, capture_output=True)
            folded = np.load(f"{d}/y.npy")
        error = relative_error(folded, conv_output)
        return None if error <= TOLERANCE else f"fold(W @ unfold(x)) differs from conv2d: {error:.3g}"
    return check


def nhwc_check(case):
    """The NHWC run equals the NCHW run, permuted."""
    def check(convgen, arrays, nhwc_output):
        nchw = Case(case.name, case.op, case.tensors, case.options, case.expected)
        with tempfile.TemporaryDirectory() as d:
            proc, output, _ = run_cli(convgen, d, nchw, arrays)
            if proc.returncode != 0:
                return "NCHW run failed: " + proc.stderr
            expected = to_channels_last(np.load(output), 1 if case.op.endswith("1d") else 2)
        return None if np.array_equal(expected, nhwc_output) or relative_error(nhwc_output, expected) <= 1e-6 \
            else "NHWC output is not the permuted NCHW output"
    return check


def identities_group():
    cases = []
    for (c, h, w), out, kernel in itertools.product([(3, 7, 8), (4, 6, 6)], [2, 5], [2, 3, (2, 3)]):
        k = (kernel, kernel) if isinstance(kernel, int) else kernel
        case = conv_case(f"unfold_matmul_fold_identity_c{c}_o{out}_k{spatial(kernel)}", 2, (1, c, h, w), out, kernel,
                         bias=False)
        case.check = identity_check(kernel, (h - k[0] + 1, w - k[1] + 1))
        cases.append(case)
    # The second algorithm, selected by name, over the semantic matrix.
    for mode, stride, groups in itertools.product(MODES, [1, 2], [1, 2]):
        cases.append(conv_case(f"algorithm_umf_{mode}_s{stride}_g{groups}", 2, (2, 4, 8, 9), 4, 3, stride, 1,
                               groups=groups, mode=mode, algorithm="unfold_matmul_fold"))
    cases.append(conv_case("algorithm_umf_conv1d_same", 1, (2, 3, 9), 4, 4, padding="same",
                           algorithm="unfold_matmul_fold"))
    # conv + BatchNorm folding == bn(conv(x)).
    for bias, affine, groups in itertools.product([True, False], [True, False], [1, 2]):
        tensors = {"input": (2, 4, 7, 7), "weight": (6, 4 // groups, 3, 3), "bn_mean": (6,), "bn_var": (6,)}
        if bias:
            tensors["bias"] = (6,)
        if affine:
            tensors["bn_weight"], tensors["bn_bias"] = (6,), (6,)
        cases.append(Case(f"conv_bn_bias{bias}_affine{affine}_g{groups}", "conv2d", tensors,
                          {"padding": 1, "groups": groups}, torch_conv(2, 1, 1, 1, groups, "zeros", bn=True)))
    cases.append(Case("conv1d_bn_relu", "conv1d", {"input": (2, 3, 9), "weight": (4, 3, 3), "bn_mean": (4,),
                                                   "bn_var": (4,)}, {"activation": "relu"},
                      lambda t: F.relu(torch_conv(1, 1, 0, 1, 1, "zeros", bn=True)(t))))
    # NHWC == NCHW permuted, for every conv op and padding mode.
    nhwc = [conv_case(f"nhwc_{mode}", 2, (2, 5, 7, 6), 4, 3, 2, 1, mode=mode, layout="nhwc") for mode in MODES]
    nhwc += [conv_case("nhwc_depthwise_same", 2, (1, 6, 7, 6), 6, 4, 1, "same", groups=6, layout="nhwc"),
             conv_case("nhwc_unbatched", 2, (3, 5, 6), 4, 3, 1, 1, layout="nhwc"),
             conv_case("nhwc_conv1d_circular", 1, (2, 3, 9), 4, 3, 1, 2, mode="circular", layout="nhwc"),
             transpose_case("nhwc_transpose", 2, (2, 3, 4, 5), 4, 3, 2, 1, 1, layout="nhwc"),
             transpose_case("nhwc_transpose1d", 1, (2, 3, 6), 4, 3, 2, 1, 1, layout="nhwc")]
    for case in nhwc:
        case.check = nhwc_check(case)
    return cases + nhwc


def invalid(name, op, tensors, options, message, oracle=None):
    return Case(name, op, tensors, options, expected=oracle, error=message)


def validation_group():
    x, w = (1, 4, 5, 5), (2, 4, 3, 3)
    conv = lambda **kw: (lambda t: F.conv2d(t["input"], t["weight"], t.get("bias"), **kw))
    module = lambda **kw: (lambda t: torch.nn.Conv2d(4, 2, 3, **kw)(t["input"]))
    return [
        invalid("groups_zero", "conv2d", {"input": x, "weight": w}, {"groups": 0}, "groups must be a positive integer",
                conv(groups=0)),
        invalid("weight_not_divisible_by_groups", "conv2d", {"input": x, "weight": (3, 2, 3, 3)}, {"groups": 2},
                "out_channels must be divisible by groups", conv(groups=2)),
        invalid("bad_padding_string", "conv2d", {"input": x, "weight": w}, {"padding": "middle"},
                "Invalid padding string 'middle', should be one of {'valid', 'same'}", module(padding="middle")),
        invalid("same_with_stride", "conv2d", {"input": x, "weight": w}, {"padding": "same", "stride": 2},
                "padding='same' is not supported for strided convolutions", conv(padding="same", stride=2)),
        invalid("bad_padding_mode", "conv2d", {"input": x, "weight": w}, {"padding_mode": "mirror"},
                "padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, but got "
                "padding_mode='mirror'", module(padding_mode="mirror")),
        invalid("transpose_reflect", "conv_transpose2d", {"input": x, "weight": (4, 2, 3, 3)},
                {"padding_mode": "reflect"}, 'Only "zeros" padding mode is supported for ConvTranspose2d',
                lambda t: torch.nn.ConvTranspose2d(4, 2, 3, padding_mode="reflect")),
        invalid("transpose1d_circular", "conv_transpose1d", {"input": (1, 4, 5), "weight": (4, 2, 3)},
                {"padding_mode": "circular"}, 'Only "zeros" padding mode is supported for ConvTranspose1d',
                lambda t: torch.nn.ConvTranspose1d(4, 2, 3, padding_mode="circular")),
        invalid("negative_padding", "conv2d", {"input": x, "weight": w}, {"padding": -1},
                "negative padding is not supported", conv(padding=-1)),
        invalid("zero_stride", "conv2d", {"input": x, "weight": w}, {"stride": 0}, "non-positive stride is not supported",
                conv(stride=0)),
        invalid("zero_dilation", "conv2d", {"input": x, "weight": w}, {"dilation": "1,0"},
                "dilation should be greater than zero", conv(dilation=(1, 0))),
        invalid("input_rank", "conv2d", {"input": (4, 5), "weight": w}, {},
                "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [4, 5]", conv()),
        invalid("input_rank_1d", "conv1d", {"input": (4,), "weight": (2, 4, 3)}, {},
                "Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: [4]",
                lambda t: F.conv1d(t["input"], t["weight"])),
        invalid("input_rank_transpose", "conv_transpose2d", {"input": (4, 5), "weight": (4, 2, 3, 3)}, {},
                "input to conv_transpose2d", lambda t: F.conv_transpose2d(t["input"], t["weight"])),
        invalid("channels", "conv2d", {"input": x, "weight": (2, 3, 3, 3)}, {},
                "Given groups=1, weight of size [2, 3, 3, 3], expected input[1, 4, 5, 5] to have 3 channels, but got 4 "
                "channels instead", conv()),
        invalid("channels_grouped", "conv2d", {"input": x, "weight": (4, 1, 3, 3)}, {"groups": 2},
                "Given groups=2, weight of size [4, 1, 3, 3], expected input[1, 4, 5, 5] to have 2 channels",
                conv(groups=2)),
        invalid("channels_unbatched", "conv2d", {"input": (4, 5, 5), "weight": (2, 3, 3, 3)}, {},
                "expected input[1, 4, 5, 5] to have 3 channels, but got 4 channels instead", conv()),
        invalid("bias_size", "conv2d", {"input": x, "weight": w, "bias": (3,)}, {},
                "Given weight of size [2, 4, 3, 3], expected bias to be 1-dimensional with 2 elements, but got bias of "
                "size [3] instead", conv()),
        invalid("kernel_too_big", "conv2d", {"input": x, "weight": (2, 4, 7, 7)}, {},
                "Calculated padded input size per channel: (5 x 5). Kernel size: (7 x 7). Kernel size can't be greater "
                "than actual input size", conv()),
        invalid("dilated_kernel_too_big", "conv2d", {"input": x, "weight": w}, {"dilation": 3},
                "Kernel size: (7 x 7). Kernel size can't be greater than actual input size", conv(dilation=3)),
        invalid("kernel_too_big_1d", "conv1d", {"input": (1, 4, 5), "weight": (2, 4, 7)}, {},
                "Calculated padded input size per channel: (5). Kernel size: (7).",
                lambda t: F.conv1d(t["input"], t["weight"])),
        invalid("reflect_pad_too_big", "conv2d", {"input": x, "weight": w}, {"padding": 5, "padding_mode": "reflect"},
                "Padding size should be less than the corresponding input dimension, but got: padding (5, 5) at "
                "dimension 3 of input [1, 4, 5, 5]", lambda t: F.pad(t["input"], (5, 5, 5, 5), mode="reflect")),
        invalid("reflect_pad_equal_size", "conv1d", {"input": (1, 4, 5), "weight": (2, 4, 3)},
                {"padding": 5, "padding_mode": "reflect"}, "Padding size should be less than the corresponding input",
                lambda t: F.pad(t["input"], (5, 5), mode="reflect")),
        invalid("circular_wraps_twice", "conv2d", {"input": x, "weight": w}, {"padding": 6, "padding_mode": "circular"},
                "Padding value causes wrapping around more than once.",
                lambda t: F.pad(t["input"], (6, 6, 6, 6), mode="circular")),
        invalid("transpose_channels", "conv_transpose2d", {"input": x, "weight": (3, 2, 3, 3)}, {},
                "Given transposed=1, weight of size [3, 2, 3, 3], expected input[1, 4, 5, 5] to have 3 channels, but "
                "got 4 channels instead", lambda t: F.conv_transpose2d(t["input"], t["weight"])),
        invalid("transpose_output_padding", "conv_transpose2d", {"input": x, "weight": (4, 2, 3, 3)},
                {"output_padding": 2}, "output padding must be smaller than either stride or dilation, but got "
                "output_padding_height: 2 output_padding_width: 2 stride_height: 1 stride_width: 1 dilation_height: 1 "
                "dilation_width: 1", lambda t: F.conv_transpose2d(t["input"], t["weight"], output_padding=2)),
        invalid("transpose_output_too_small", "conv_transpose2d", {"input": x, "weight": (4, 2, 3, 3)}, {"padding": 5},
                "Calculated output size per channel: (-3 x -3). Output size is too small",
                lambda t: F.conv_transpose2d(t["input"], t["weight"], padding=5)),
        invalid("transpose_string_padding", "conv_transpose2d", {"input": x, "weight": (4, 2, 3, 3)},
                {"padding": "same"}, "does not support string padding",
                lambda t: F.conv_transpose2d(t["input"], t["weight"], padding="same")),
        invalid("unfold_kernel_zero", "unfold", {"input": x}, {"kernel_size": 0},
                "kernel size should be greater than zero, but got kernel_height: 0 kernel_width: 0",
                lambda t: F.unfold(t["input"], 0)),
        invalid("unfold_dilation_zero", "unfold", {"input": x}, {"kernel_size": 2, "dilation": 0},
                "dilation should be greater than zero, but got dilation_height: 0 dilation_width: 0",
                lambda t: F.unfold(t["input"], 2, dilation=0)),
        invalid("unfold_negative_padding", "unfold", {"input": x}, {"kernel_size": 2, "padding": -1},
                "padding should be non-negative, but got pad_height: -1 pad_width: -1",
                lambda t: F.unfold(t["input"], 2, padding=-1)),
        invalid("unfold_stride_zero", "unfold", {"input": x}, {"kernel_size": 2, "stride": 0},
                "stride should be greater than zero, but got stride_height: 0 stride_width: 0",
                lambda t: F.unfold(t["input"], 2, stride=0)),
        invalid("unfold_no_blocks", "unfold", {"input": x}, {"kernel_size": 7},
                "Given input with spatial size (5, 5), kernel_size=(7, 7), dilation=(1, 1), padding=(0, 0), calculated "
                "shape of the array of sliding blocks as (-1, -1), but its components must be at least one.",
                lambda t: F.unfold(t["input"], 7)),
        invalid("unfold_rank", "unfold", {"input": (5, 5)}, {"kernel_size": 2}, "Expected 3D or 4D (batch mode) tensor",
                lambda t: F.unfold(t["input"], 2)),
        invalid("fold_not_divisible", "fold", {"input": (1, 5, 4)}, {"output_size": 3, "kernel_size": 2},
                "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got "
                "input.size(1)=5 and kernel_size=(2, 2).", lambda t: F.fold(t["input"], 3, 2)),
        invalid("fold_block_count", "fold", {"input": (1, 4, 5)}, {"output_size": 3, "kernel_size": 2},
                "Given output_size=(3, 3), kernel_size=(2, 2), dilation=(1, 1), padding=(0, 0), stride=(1, 1), expected "
                "size of input's dimension 2 to match the calculated number of sliding blocks 2 * 2 = 4, but got "
                "input.size(2)=5.", lambda t: F.fold(t["input"], 3, 2)),
        invalid("fold_too_small", "fold", {"input": (1, 25, 1)}, {"output_size": 3, "kernel_size": 5},
                "which is too small (non-positive).", lambda t: F.fold(t["input"], 3, 5)),
        invalid("fold_rank", "fold", {"input": (4,)}, {"output_size": 3, "kernel_size": 2},
                "Expected 2D or 3D (batch mode) tensor", lambda t: F.fold(t["input"], 3, 2)),
        # CLI-level problems: still one clear line, exit 2, no output.
        invalid("missing_weight", "conv2d", {"input": x}, {}, "--weight is required for conv2d"),
        invalid("weight_rank", "conv2d", {"input": x, "weight": (2, 4, 3)}, {}, "expected a 4-dimensional weight",
                conv()),
        invalid("bad_int_list", "conv2d", {"input": x, "weight": w}, {"stride": "1,2,3"}, "invalid --stride '1,2,3'"),
        invalid("bad_activation", "conv2d", {"input": x, "weight": w}, {"activation": "gelu"}, "invalid --activation"),
        invalid("bad_layout", "conv2d", {"input": x, "weight": w}, {"layout": "chwn"}, "invalid --layout"),
        invalid("bad_schedule", "conv2d", {"input": x, "weight": w}, {"schedule": "fastest"},
                "unknown schedule 'fastest'"),
        invalid("option_not_applicable", "unfold", {"input": x}, {"kernel_size": 2, "groups": 2},
                "--groups does not apply to unfold"),
        invalid("bn_var_missing", "conv2d", {"input": x, "weight": w, "bn_mean": (2,)}, {},
                "--bn-mean and --bn-var are both required"),
        invalid("bn_shape", "conv2d", {"input": x, "weight": w, "bn_mean": (3,), "bn_var": (3,)}, {},
                "running_mean should contain 2 elements not 3"),
    ]


def file_problem_cases(convgen):
    """Corrupt and unsupported .npy inputs: exit 2, one error line, no output."""
    problems = []
    with tempfile.TemporaryDirectory() as d:
        np.save(f"{d}/w.npy", np.ones((2, 4, 3, 3), np.float32))
        variants = {
            "float64": (lambda p: np.save(p, np.ones((1, 4, 5, 5))), "unsupported dtype '<f8'"),
            "int32": (lambda p: np.save(p, np.ones((1, 4, 5, 5), np.int32)), "unsupported dtype '<i4'"),
            "big_endian": (lambda p: np.save(p, np.ones((1, 4, 5, 5), ">f4")), "unsupported dtype '>f4'"),
            "fortran": (lambda p: np.save(p, np.asfortranarray(np.ones((1, 4, 5, 5), np.float32))), "Fortran"),
            "truncated": (lambda p: (np.save(p, np.ones((1, 4, 5, 5), np.float32)),
                                     os.truncate(p, os.path.getsize(p) - 7)), "truncated"),
            "garbage": (lambda p: open(p, "wb").write(b"not an array"), "not a .npy file"),
            "missing": (lambda p: None, "cannot open"),
        }
        for name, (make, message) in variants.items():
            path = f"{d}/{name}.npy"
            make(path)
            out = f"{d}/out_{name}.npy"
            proc = subprocess.run([convgen, "run", "conv2d", "--input", path, "--weight", f"{d}/w.npy", "--output", out],
                                  capture_output=True, text=True)
            lines = proc.stderr.strip().splitlines()
            ok = proc.returncode == 2 and len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0] \
                and not os.path.exists(out)
            problems.append((f"npy_{name}", None if ok else f"exit {proc.returncode}, stderr {proc.stderr!r}"))
    return problems


def winograd_group():
    # --algorithm winograd (the default schedule's tile, F(4x4, 3x3)) over the options it accepts, and auto.
    cases = [conv_case(f"winograd_{mode}_g{groups}", 2, (2, 4, 9, 11), 8, 3, 1, 1, groups=groups, mode=mode,
                       algorithm="winograd")
             for mode, groups in itertools.product(MODES, [1, 2])]
    cases += [
        conv_case("winograd_valid_relu", 2, (1, 6, 10, 7), 12, 3, activation="relu", algorithm="winograd"),
        conv_case("winograd_same_no_bias", 2, (1, 5, 13, 6), 8, 3, padding="same", bias=False, algorithm="winograd"),
        conv_case("winograd_depthwise_relu6_nhwc", 2, (2, 8, 11, 10), 8, 3, 1, 1, groups=8, activation="relu6",
                  layout="nhwc", algorithm="winograd"),
        conv_case("winograd_unbatched_wide", 2, (16, 5, 30), 32, 3, 1, 1, algorithm="winograd"),
        conv_case("winograd_conv1d_reflect", 1, (2, 6, 19), 8, 3, 1, 1, mode="reflect", algorithm="winograd"),
        conv_case("winograd_conv1d_unbatched_nhwc", 1, (16, 25), 24, 3, 1, 1, layout="nhwc", algorithm="winograd"),
        # --algorithm auto: Winograd F(4x4) by the rule (64 channels on a 16x16 map), direct below it.
        conv_case("auto_winograd_relu_nhwc", 2, (1, 64, 16, 16), 64, 3, 1, 1, activation="relu", layout="nhwc",
                  algorithm="auto"),
        conv_case("auto_direct_grouped", 2, (1, 8, 7, 9), 8, 3, 1, 1, groups=2, algorithm="auto"),
    ]
    return cases


GROUPS = {
    "conv2d": conv2d_group,
    "conv1d": conv1d_group,
    "conv_transpose": conv_transpose_group,
    "unfold_fold": unfold_fold_group,
    "identities": identities_group,
    "validation": validation_group,
    "winograd": winograd_group,
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--convgen", required=True)
    parser.add_argument("--group", required=True, choices=sorted(GROUPS) + ["list"])
    args = parser.parse_args()
    torch.manual_seed(0)
    results = []
    for index, case in enumerate(GROUPS[args.group]()):
        results.append((case.name, run_case(args.convgen, case, seed=index)))
    if args.group == "validation":
        results += file_problem_cases(args.convgen)
    failed = [(name, problem) for name, problem in results if problem]
    for name, problem in failed:
        print(f"FAIL {args.group}/{name}: {problem}")
    print(f"parity {args.group}: {len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
