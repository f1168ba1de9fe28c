#pragma once
// Text for error messages, formatted as PyTorch prints the same values.
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace convgen::detail {

// Values joined by `separator`, e.g. "5 x 5" or "3, 3".
inline std::string join(const std::vector<int64_t> &values, const std::string &separator) {
    std::ostringstream os;
    for (size_t i = 0; i < values.size(); ++i) os << (i ? separator : "") << values[i];
    return os.str();
}

}  // namespace convgen::detail
