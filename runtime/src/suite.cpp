#include "convgen/suite.h"

#include <fstream>

#include "suite_json.h"

namespace convgen {

Conv2dOptions SuiteConv::conv_options(int64_t in_channels) const {
    return Conv2dOptions(in_channels, out_channels, {kernel[0], kernel[1]})
        .stride({stride[0], stride[1]})
        .padding({padding[0], padding[1]})
        .dilation({dilation[0], dilation[1]})
        .groups(groups)
        .bias(bias)
        .padding_mode(padding_mode);
}

namespace detail {

SuiteConv parse_suite_conv(const nlohmann::json &entry, const std::string &where) {
    using Pair = std::array<int64_t, 2>;
    SuiteConv c;
    c.out_channels = suite_field<int64_t>(entry, "out_channels", where);
    c.kernel = suite_field<Pair>(entry, "kernel", where);
    c.stride = suite_field<Pair>(entry, "stride", where);
    c.padding = suite_field<Pair>(entry, "padding", where);
    c.dilation = suite_field<Pair>(entry, "dilation", where);
    c.groups = suite_field<int64_t>(entry, "groups", where);
    c.bias = suite_field<bool>(entry, "bias", where);
    c.padding_mode = suite_field<std::string>(entry, "padding_mode", where);
    return c;
}

nlohmann::json parse_suite_line(const std::string &line) {
    try {
        nlohmann::json entry = nlohmann::json::parse(line);
        if (!entry.is_object()) throw Error("expected a JSON object");
        return entry;
    } catch (const nlohmann::json::parse_error &e) {
        throw Error(std::string("invalid JSON: ") + e.what());
    }
}

}  // namespace detail

std::vector<SuiteLayer> read_suite(const std::string &path) {
    using detail::suite_field;
    std::ifstream file(path);
    if (!file) throw Error("cannot open suite file '" + path + "'");
    std::vector<SuiteLayer> layers;
    std::string line;
    for (int line_number = 1; std::getline(file, line); ++line_number) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        try {
            const nlohmann::json j = detail::parse_suite_line(line);
            SuiteLayer l;
            static_cast<SuiteConv &>(l) = detail::parse_suite_conv(j);
            l.net = suite_field<std::string>(j, "net");
            l.name = suite_field<std::string>(j, "name");
            l.batch = suite_field<int64_t>(j, "N");
            l.in_channels = suite_field<int64_t>(j, "C");
            l.height = suite_field<int64_t>(j, "H");
            l.width = suite_field<int64_t>(j, "W");
            l.count = suite_field<int64_t>(j, "count", int64_t{1}, "");
            layers.push_back(std::move(l));
        } catch (const Error &e) {
            throw Error(path + ":" + std::to_string(line_number) + ": invalid suite entry: " + e.what());
        }
    }
    return layers;
}

}  // namespace convgen
