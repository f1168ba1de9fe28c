#pragma once
// Winograd convolution F(m x m, 3 x 3): where it applies, and its transform matrices. An output
// tile of m x m comes from an input tile of n x n (n = m + 2) as Y = A^T [U . V] A, with the
// weights transformed once, U = G g G^T, and the input per tile, V = B^T d B.
#include <string>
#include <vector>

#include "convgen/op_spec.h"

namespace convgen {

// The output tile sizes convgen generates, and the one used when no schedule config chooses.
inline constexpr int kWinogradTiles[] = {2, 4, 6};
inline constexpr int kDefaultWinogradTile = 4;
// Algorithm::Auto computes with Winograd only in tiles up to this, so within
// winograd_error_bound(kAutoLargestWinogradTile) (5e-5): F(6x6) is chosen by name alone.
inline constexpr int kAutoLargestWinogradTile = 4;
bool is_winograd_tile(int64_t m);

// The largest error Winograd F(m x m, 3x3) makes, as max |error| / max |exact output| (float64
// reference): measured over ResNet and VGG 3x3 layers (64-512 channels, inputs U(-1, 1) and
// scaled by 100), with headroom; README "Winograd" gives the measurements. Direct convs stay
// within 1e-5 on the same measure.
double winograd_error_bound(int m);

// Why Winograd cannot compute `spec` (empty when it can): it needs a conv (not transposed) with a
// 3x3 kernel, or 1x3 (conv1d's, F(m, 3) along the width alone), stride 1, dilation 1, and every
// tap live (live_taps.h).
std::string winograd_refusal(const OpSpec &spec);

// Row-major matrices for F(m, 3), derived by Cook-Toom from the interpolation points 0, +-1,
// +-2, +-1/2 (as many as n - 1 needs, in that order) and infinity, in exact rational arithmetic.
struct WinogradMatrices {
    int m = 0, n = 0;
    std::vector<double> at;  // A^T: m x n
    std::vector<double> g;   // G:   n x 3
    std::vector<double> bt;  // B^T: n x n
    double AT(int i, int j) const { return at[size_t(i * n + j)]; }
    double G(int i, int j) const { return g[size_t(i * 3 + j)]; }
    double BT(int i, int j) const { return bt[size_t(i * n + j)]; }
};
const WinogradMatrices &winograd_matrices(int m);

// The transform along the height of spec's conv with tile m (along the width it is always
// winograd_matrices(m)): the same, or, for a kernel one tap high (conv1d), F(1, 1), whose
// matrices are [1].
const WinogradMatrices &winograd_height_matrices(const OpSpec &spec, int m);
// The output tile (rows, columns) each transform computes: (m, m), or (1, m) one tap high.
Extent2 winograd_output_tile(const OpSpec &spec, int m);
// How many such tiles cover the output (rows, columns), partial ones at the ends included.
Extent2 winograd_tile_counts(const OpSpec &spec, int m);

}  // namespace convgen
