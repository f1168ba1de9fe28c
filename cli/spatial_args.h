#pragma once
// Command-line values for spatial options: "A" (every dim) or "A,B" (height, width).
#include <cstdint>
#include <string>
#include <vector>

namespace convgen::cli {

// 1 or `rank` integers; throws convgen::Error naming the option otherwise.
std::vector<int64_t> parse_spatial(const std::string &option, const std::string &text, size_t rank);

}  // namespace convgen::cli
