#include <algorithm>

#include "convgen/errors.h"
#include "convgen/schedules.h"
#include "convgen/threads.h"
#include "runners.h"

namespace convgen::bench {

std::unique_ptr<Runner> make_convgen_runner(const Variant &v, const SuiteLayer &l);
std::unique_ptr<Runner> make_onednn_runner(const SuiteLayer &l, bool nchw_in_out, bool winograd, int threads);

const std::vector<Variant> &all_variants() {
    static const std::vector<Variant> variants = [] {
        using K = Variant::Kind;
        std::vector<Variant> v{
            {"reference", K::Reference, "", Layout::NCHW, Algorithm::Direct, "plain C++ loops (the test oracle)"},
            {"portable", K::Convgen, "portable", Layout::NCHW, Algorithm::Direct, "portable schedule, NCHW"},
            {"hand", K::Convgen, "hand", Layout::NCHW, Algorithm::Direct, "hand-tuned CPU schedule, NCHW in/out"},
            {"hand_nhwc", K::Convgen, "hand", Layout::NHWC, Algorithm::Direct, "hand-tuned CPU schedule, NHWC in/out"},
            {"tuned", K::Convgen, "tuned", Layout::NCHW, Algorithm::Direct,
             "hand schedule with the tuning database's configs for this machine (else its rules), NCHW in/out"},
            {"tuned_nhwc", K::Convgen, "tuned", Layout::NHWC, Algorithm::Direct,
             "hand schedule with the tuning database's configs for this machine (else its rules), NHWC in/out"},
            {"unfold_matmul_fold", K::Convgen, "portable", Layout::NCHW, Algorithm::UnfoldMatmulFold,
             "im2col + matmul + col2im, NCHW"},
            {"winograd", K::Convgen, "tuned", Layout::NCHW, Algorithm::Winograd,
             "Winograd F(m x m, 3x3) where it applies (3x3, stride 1), else direct; tuned schedule, NCHW in/out"},
            {"winograd_nhwc", K::Convgen, "tuned", Layout::NHWC, Algorithm::Winograd,
             "Winograd F(m x m, 3x3) where it applies (3x3, stride 1), else direct; tuned schedule, NHWC in/out"},
            {"auto", K::Convgen, "tuned", Layout::NCHW, Algorithm::Auto,
             "Algorithm::Auto (direct or Winograd F(m <= 4), measured or by rule); tuned schedule, NCHW in/out"},
            {"auto_nhwc", K::Convgen, "tuned", Layout::NHWC, Algorithm::Auto,
             "Algorithm::Auto (direct or Winograd F(m <= 4), measured or by rule); tuned schedule, NHWC in/out"},
        };
        for (const ScheduleInfo &s : available_schedules()) {
            if (s.name.starts_with("adams") || s.name.starts_with("li2018") || s.name.starts_with("mullapudi")) {
                v.push_back({s.name, K::Convgen, s.name, Layout::NCHW, Algorithm::Direct, s.description});
            }
        }
        v.push_back({"onednn", K::Onednn, "", Layout::NCHW, Algorithm::Direct,
                     "oneDNN direct conv in its preferred blocked layout (weights and input reordered once)"});
        v.push_back({"onednn_nchw", K::OnednnNchw, "", Layout::NCHW, Algorithm::Direct,
                     "oneDNN direct conv with NCHW in/out, reorders counted"});
        v.push_back({"onednn_winograd", K::OnednnWinograd, "", Layout::NCHW, Algorithm::Winograd,
                     "oneDNN Winograd conv where it has a kernel for the layer, else its direct conv; blocked layout"});
        return v;
    }();
    return variants;
}

const Variant &find_variant(const std::string &name) {
    const auto &variants = all_variants();
    const auto it = std::find_if(variants.begin(), variants.end(), [&](const Variant &v) { return v.name == name; });
    if (it != variants.end()) return *it;
    std::string known;
    for (const Variant &v : variants) known += (known.empty() ? "" : ", ") + v.name;
    throw Error("unknown benchmark variant '" + name + "', expected one of {" + known + "}");
}

std::unique_ptr<Runner> make_runner(const Variant &variant, const SuiteLayer &layer, int threads) {
    switch (variant.kind) {
    case Variant::Kind::Onednn: return make_onednn_runner(layer, false, false, threads);
    case Variant::Kind::OnednnNchw: return make_onednn_runner(layer, true, false, threads);
    case Variant::Kind::OnednnWinograd: return make_onednn_runner(layer, false, true, threads);
    case Variant::Kind::Convgen:
    case Variant::Kind::Reference: set_num_threads(threads); return make_convgen_runner(variant, layer);
    }
    throw Error("unknown variant kind");
}

}  // namespace convgen::bench
