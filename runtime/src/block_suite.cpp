#include "convgen/block_suite.h"

#include "suite_json.h"

namespace convgen {
namespace {

using detail::suite_field;

template <typename Enum>
Enum suite_choice(const nlohmann::json &entry, const std::string &name, const std::string &where = "") {
    const std::string text = suite_field<std::string>(entry, name, where);
    Enum value{};
    if (!parse(text, value)) throw Error("field '" + where + name + "': unknown value '" + text + "'");
    return value;
}

SuiteBlock block_from_json(const nlohmann::json &j) {
    SuiteBlock b;
    static_cast<SuiteEntry &>(b) = detail::parse_suite_entry(j);
    const nlohmann::json layers = suite_field<nlohmann::json>(j, "layers");
    if (!layers.is_array() || layers.empty()) throw Error("field 'layers': expected a non-empty array of layers");
    for (size_t i = 0; i < layers.size(); ++i) {
        const std::string where = "layers[" + std::to_string(i) + "].";
        if (!layers[i].is_object()) throw Error("field 'layers[" + std::to_string(i) + "]': expected an object");
        SuiteBlockLayer layer;
        static_cast<SuiteConv &>(layer) = detail::parse_suite_conv(layers[i], where);
        layer.activation = suite_choice<Activation>(layers[i], "activation", where);
        b.layers.push_back(std::move(layer));
    }
    b.residual = suite_choice<Residual>(j, "residual");
    b.activation = suite_choice<Activation>(j, "activation");
    return b;
}

}  // namespace

std::vector<Conv2d> SuiteBlock::make_layers(Layout layout, const std::string &schedule, Algorithm algorithm) const {
    std::vector<Conv2d> convs;
    int64_t channels = in_channels;
    for (size_t i = 0; i < layers.size(); ++i) {
        const SuiteBlockLayer &l = layers[i];
        try {
            convs.emplace_back(
                l.conv_options(channels).activation(l.activation).layout(layout).schedule(schedule).algorithm(algorithm));
        } catch (const ValueError &e) {
            throw ValueError("layers[" + std::to_string(i) + "]: " + e.what());
        }
        channels = l.out_channels;
    }
    return convs;
}

ConvBlockOptions SuiteBlock::block_options(BlockFusion fusion) const {
    return ConvBlockOptions().residual(residual).activation(activation).fusion(fusion);
}

ConvBlock SuiteBlock::make_block(Layout layout, BlockFusion fusion, const std::string &schedule,
                                 Algorithm algorithm) const {
    return ConvBlock(make_layers(layout, schedule, algorithm), block_options(fusion));
}

SuiteBlock parse_block(const std::string &json) { return block_from_json(detail::parse_suite_line(json)); }

std::vector<SuiteBlock> read_block_suite(const std::string &path) {
    return detail::read_suite_lines<SuiteBlock>(path, "block suite", "block", block_from_json);
}

}  // namespace convgen
