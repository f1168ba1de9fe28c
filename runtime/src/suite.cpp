#include "convgen/suite.h"

#include "convgen/winograd.h"
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

// The portable schedule's spec: the call's own fields, no tuning database or kernel involved.
bool SuiteLayer::winograd_applies() const {
    return winograd_refusal(Conv2d(options().schedule("portable")).spec(input_shape())).empty();
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

SuiteEntry parse_suite_entry(const nlohmann::json &entry) {
    SuiteEntry e;
    e.net = suite_field<std::string>(entry, "net");
    e.name = suite_field<std::string>(entry, "name");
    e.batch = suite_field<int64_t>(entry, "N");
    e.in_channels = suite_field<int64_t>(entry, "C");
    e.height = suite_field<int64_t>(entry, "H");
    e.width = suite_field<int64_t>(entry, "W");
    e.count = suite_field<int64_t>(entry, "count", int64_t{1}, "");
    return e;
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
    return detail::read_suite_lines<SuiteLayer>(path, "suite", "suite", [](const nlohmann::json &j) {
        SuiteLayer l;
        static_cast<SuiteConv &>(l) = detail::parse_suite_conv(j);
        static_cast<SuiteEntry &>(l) = detail::parse_suite_entry(j);
        return l;
    });
}

}  // namespace convgen
