#pragma once
// The dense buffers a generated kernel takes, derived from its OpSpec alone (no Halide), so AOT
// callers -- the layer runtime, the cross-compiled ARM test driver, user code -- agree with the
// generator. Extents are innermost dimension first; the call order is input, [weight, [bias]],
// output (generator/pipeline.h).
#include <cstdint>
#include <vector>

#include "convgen/chain_spec.h"
#include "convgen/op_spec.h"

namespace convgen {

using Extents = std::vector<int64_t>;

// An image tensor (N, C, H, W) stored in `layout`.
Extents image_extents(int64_t n, int64_t c, int64_t h, int64_t w, Layout layout);
// The (N, C*kH*kW, L) columns of unfold/fold as the 6-D (bx, by, kj, ki, c, n).
Extents column_extents(const OpSpec &spec);
// A conv/conv_transpose weight in spec.weight_layout (conv_transpose: PyTorch's (I, O/g, kH, kW)).
Extents weight_extents(const OpSpec &spec);
// The output channels a conv's packed weights hold: BlockedHWIO and Winograd blocks round them up
// to whole blocks, zeros past the last channel, so every register tile reads one aligned block.
int64_t packed_out_channels(const OpSpec &spec);

// A conv's weights (O, I/g, kH, kW) in PyTorch's order rearranged into spec.weight_layout, and
// back; `packed` holds weight_extents(spec) elements, zero-filled before packing.
void pack_conv_weight(const OpSpec &spec, const float *pytorch_order, float *packed);
void unpack_conv_weight(const OpSpec &spec, const float *packed, float *pytorch_order);

// Every buffer of the kernel for `spec`, in call order.
std::vector<Extents> kernel_buffer_extents(const OpSpec &spec);
// Every buffer of a chain's kernel, in call order: the input, each layer's weight [and bias],
// [the residual], the output (generator/chain.h).
std::vector<Extents> chain_buffer_extents(const ChainSpec &chain);

}  // namespace convgen
