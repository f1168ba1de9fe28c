#include "convgen/winograd.h"

#include <map>
#include <mutex>
#include <numeric>
#include <stdexcept>

#include "convgen/live_taps.h"

namespace convgen {
namespace {

constexpr int kTaps = 3;

// Exact rationals: the points are small, so int64 never overflows over these few operations.
struct Rational {
    int64_t num = 0, den = 1;
    Rational(int64_t n = 0, int64_t d = 1) : num(n), den(d) {
        if (den < 0) num = -num, den = -den;
        const int64_t g = std::gcd(num, den);
        if (g > 1) num /= g, den /= g;
    }
    friend Rational operator+(Rational a, Rational b) { return {a.num * b.den + b.num * a.den, a.den * b.den}; }
    friend Rational operator-(Rational a, Rational b) { return {a.num * b.den - b.num * a.den, a.den * b.den}; }
    friend Rational operator*(Rational a, Rational b) { return {a.num * b.num, a.den * b.den}; }
    friend Rational operator/(Rational a, Rational b) { return {a.num * b.den, a.den * b.num}; }
    bool zero() const { return num == 0; }
    double value() const { return double(num) / double(den); }
};

Rational power(Rational x, int e) {
    Rational r = 1;
    for (int i = 0; i < e; ++i) r = r * x;
    return r;
}

// Lavin & Gray's points: small magnitudes, and reciprocal pairs for the larger tiles, keep the
// transforms' entries (and so the rounding error) small.
const std::vector<Rational> &points() {
    static const std::vector<Rational> p{0, 1, -1, 2, -2, Rational(1, 2), Rational(-1, 2)};
    return p;
}

// Cook-Toom with the finite points p_j (j < n - 1) and infinity (j = n - 1):
// A^T[i][j] = p_j^i, G[j][k] = p_j^k / prod_{l != j}(p_j - p_l), and the infinity column/row
// pick the leading coefficient. B^T is then the unique solution of the identity the algorithm
// must satisfy, sum_j A^T[i][j] G[j][k] B^T[j][l] = [l == i + k] for every i < m, k < 3, l < n,
// solved per column l by Gaussian elimination, and checked exactly.
WinogradMatrices derive(int m) {
    const int n = m + kTaps - 1;
    const std::vector<Rational> p(points().begin(), points().begin() + (n - 1));
    std::vector<Rational> at(size_t(m * n)), g(size_t(n * kTaps)), bt(size_t(n * n));
    for (int j = 0; j < n - 1; ++j) {
        Rational f = 1;
        for (int l = 0; l < n - 1; ++l) {
            if (l != j) f = f * (p[size_t(j)] - p[size_t(l)]);
        }
        for (int i = 0; i < m; ++i) at[size_t(i * n + j)] = power(p[size_t(j)], i);
        for (int k = 0; k < kTaps; ++k) g[size_t(j * kTaps + k)] = power(p[size_t(j)], k) / f;
    }
    at[size_t((m - 1) * n + n - 1)] = 1;
    g[size_t((n - 1) * kTaps + kTaps - 1)] = 1;

    // coefficient(i, k)[j] = A^T[i][j] G[j][k]: the system's rows, one per (i, k).
    const int rows = m * kTaps;
    for (int l = 0; l < n; ++l) {
        std::vector<std::vector<Rational>> a(size_t(rows), std::vector<Rational>(size_t(n + 1)));
        for (int i = 0; i < m; ++i)
            for (int k = 0; k < kTaps; ++k) {
                std::vector<Rational> &row = a[size_t(i * kTaps + k)];
                for (int j = 0; j < n; ++j) row[size_t(j)] = at[size_t(i * n + j)] * g[size_t(j * kTaps + k)];
                row[size_t(n)] = l == i + k ? 1 : 0;
            }
        int pivot_row = 0;
        std::vector<int> pivot_of(size_t(n), -1);
        for (int col = 0; col < n && pivot_row < rows; ++col) {
            int r = pivot_row;
            while (r < rows && a[size_t(r)][size_t(col)].zero()) ++r;
            if (r == rows) continue;
            std::swap(a[size_t(r)], a[size_t(pivot_row)]);
            const Rational lead = a[size_t(pivot_row)][size_t(col)];
            for (Rational &v : a[size_t(pivot_row)]) v = v / lead;
            for (int other = 0; other < rows; ++other) {
                const Rational factor = a[size_t(other)][size_t(col)];
                if (other == pivot_row || factor.zero()) continue;
                for (int c = 0; c <= n; ++c) {
                    a[size_t(other)][size_t(c)] = a[size_t(other)][size_t(c)] - factor * a[size_t(pivot_row)][size_t(c)];
                }
            }
            pivot_of[size_t(col)] = pivot_row++;
        }
        for (int j = 0; j < n; ++j) {
            if (pivot_of[size_t(j)] < 0) throw std::logic_error("Winograd points do not determine B^T");
            bt[size_t(j * n + l)] = a[size_t(pivot_of[size_t(j)])][size_t(n)];
        }
        for (int r = pivot_row; r < rows; ++r) {
            if (!a[size_t(r)][size_t(n)].zero()) throw std::logic_error("Winograd identity has no solution");
        }
    }

    WinogradMatrices result{m, n, {}, {}, {}};
    for (const Rational &v : at) result.at.push_back(v.value());
    for (const Rational &v : g) result.g.push_back(v.value());
    for (const Rational &v : bt) result.bt.push_back(v.value());
    return result;
}

}  // namespace

bool is_winograd_tile(int64_t m) {
    for (int t : kWinogradTiles) {
        if (t == m) return true;
    }
    return false;
}

double winograd_error_bound(int m) {
    switch (m) {
    case 2: return 5e-6;
    case 4: return 5e-5;
    case 6: return 1e-4;
    default: throw std::invalid_argument("no Winograd tile of size " + std::to_string(m));
    }
}

std::string winograd_refusal(const OpSpec &spec) {
    if (spec.op != OpKind::Conv) return "it computes convolutions only, not " + std::string(to_string(spec.op));
    const Window &w = spec.window;
    if (w.kernel.w != kTaps || (w.kernel.h != kTaps && w.kernel.h != 1)) {
        return "it needs a 3x3 or 1x3 kernel, got " + std::to_string(w.kernel.h) + "x" + std::to_string(w.kernel.w);
    }
    if (w.stride != Extent2{1, 1}) return "it needs stride 1";
    if (w.dilation != Extent2{1, 1}) return "it needs dilation 1";
    const LiveTaps taps = live_taps(spec);
    if (taps.area() != w.kernel.h * w.kernel.w) {
        return "some taps read only zero padding (the image is smaller than the padded kernel)";
    }
    return {};
}

const WinogradMatrices &winograd_matrices(int m) {
    if (!is_winograd_tile(m)) throw std::invalid_argument("no Winograd tile of size " + std::to_string(m));
    static std::mutex mutex;
    static std::map<int, WinogradMatrices> derived;
    std::lock_guard lock(mutex);
    auto it = derived.find(m);
    if (it == derived.end()) it = derived.emplace(m, derive(m)).first;
    return it->second;
}

const WinogradMatrices &winograd_height_matrices(const OpSpec &spec, int m) {
    // G is stored n x 3: a one-tap transform uses only its first column.
    static const WinogradMatrices one_tap{1, 1, {1.0}, {1.0, 0.0, 0.0}, {1.0}};
    return spec.window.kernel.h == 1 ? one_tap : winograd_matrices(m);
}

Extent2 winograd_output_tile(const OpSpec &spec, int m) { return {winograd_height_matrices(spec, m).m, m}; }

Extent2 winograd_tile_counts(const OpSpec &spec, int m) {
    const Extent2 tile = winograd_output_tile(spec, m);
    return {(spec.out.h + tile.h - 1) / tile.h, (spec.out.w + tile.w - 1) / tile.w};
}

}  // namespace convgen
