#include "convgen/suite.h"

#include <fstream>

#include <nlohmann/json.hpp>

#include "convgen/errors.h"

namespace convgen {

Conv2dOptions SuiteLayer::options() const {
    return Conv2dOptions(in_channels, out_channels, {kernel[0], kernel[1]})
        .stride({stride[0], stride[1]})
        .padding({padding[0], padding[1]})
        .dilation({dilation[0], dilation[1]})
        .groups(groups)
        .bias(bias)
        .padding_mode(padding_mode);
}

std::vector<SuiteLayer> read_suite(const std::string &path) {
    std::ifstream file(path);
    if (!file) throw Error("cannot open suite file '" + path + "'");
    std::vector<SuiteLayer> layers;
    std::string line;
    for (int line_number = 1; std::getline(file, line); ++line_number) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        try {
            const nlohmann::json j = nlohmann::json::parse(line);
            SuiteLayer l;
            l.net = j.at("net").get<std::string>();
            l.name = j.at("name").get<std::string>();
            l.batch = j.at("N").get<int64_t>();
            l.in_channels = j.at("C").get<int64_t>();
            l.height = j.at("H").get<int64_t>();
            l.width = j.at("W").get<int64_t>();
            l.out_channels = j.at("out_channels").get<int64_t>();
            l.kernel = j.at("kernel").get<std::array<int64_t, 2>>();
            l.stride = j.at("stride").get<std::array<int64_t, 2>>();
            l.padding = j.at("padding").get<std::array<int64_t, 2>>();
            l.dilation = j.at("dilation").get<std::array<int64_t, 2>>();
            l.groups = j.at("groups").get<int64_t>();
            l.bias = j.at("bias").get<bool>();
            l.padding_mode = j.at("padding_mode").get<std::string>();
            l.count = j.value("count", int64_t{1});
            layers.push_back(std::move(l));
        } catch (const nlohmann::json::exception &e) {
            throw Error(path + ":" + std::to_string(line_number) + ": invalid suite entry: " + e.what());
        }
    }
    return layers;
}

}  // namespace convgen
