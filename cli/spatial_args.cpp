#include "spatial_args.h"

#include <charconv>

#include "convgen/errors.h"

namespace convgen::cli {

std::vector<int64_t> parse_spatial(const std::string &option, const std::string &text, size_t rank) {
    std::vector<int64_t> values;
    size_t start = 0;
    while (true) {
        const size_t comma = text.find(',', start);
        const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        int64_t value = 0;
        const auto [end, error] = std::from_chars(item.data(), item.data() + item.size(), value);
        if (item.empty() || error != std::errc() || end != item.data() + item.size()) {
            throw Error("invalid " + option + " '" + text + "': expected an integer" +
                        (rank > 1 ? " or " + std::to_string(rank) + " comma-separated integers" : ""));
        }
        values.push_back(value);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    if (values.size() != 1 && values.size() != rank) {
        throw Error("invalid " + option + " '" + text + "': expected 1" +
                    (rank > 1 ? " or " + std::to_string(rank) : "") + " value(s) for a " + std::to_string(rank) +
                    "-D op, got " + std::to_string(values.size()));
    }
    return values;
}

}  // namespace convgen::cli
