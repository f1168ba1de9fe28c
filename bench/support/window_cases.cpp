#include "window_cases.h"

#include <set>

#include "convgen/unfold_fold.h"

namespace convgen::bench {

std::vector<WindowCase> window_cases(const std::vector<SuiteLayer> &layers) {
    std::vector<WindowCase> cases;
    std::set<std::string> seen;
    for (const SuiteLayer &l : layers) {
        if (l.kernel[0] == 1 || l.kernel[0] != l.kernel[1] || l.dilation[0] != 1 || l.groups != 1) continue;
        const std::string name = "unfold_c" + std::to_string(l.in_channels) + "_" + std::to_string(l.height) + "x" +
                                 std::to_string(l.width) + "_k" + std::to_string(l.kernel[0]) + "s" +
                                 std::to_string(l.stride[0]) + "p" + std::to_string(l.padding[0]);
        if (!seen.insert(name).second) continue;
        const Shape image = l.input_shape();
        const Shape columns = Unfold(UnfoldOptions(l.kernel[0]).stride(l.stride[0]).padding(l.padding[0])).output_shape(image);
        const double bytes = 4.0 * double(element_count(image) + element_count(columns));
        cases.push_back({name, image, l.kernel[0], l.stride[0], l.padding[0], bytes, bytes});
    }
    return cases;
}

}  // namespace convgen::bench
