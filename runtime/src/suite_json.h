#pragma once
// Reading suite entries' JSON fields, shared by the layer and block suites: every error names
// the field it is about.
#include <string>

#include <nlohmann/json.hpp>

#include "convgen/errors.h"
#include "convgen/suite.h"

namespace convgen::detail {

// The field `name` of `entry` as a T; `where` prefixes the field's name in errors (e.g. "layers[1].").
template <typename T>
T suite_field(const nlohmann::json &entry, const std::string &name, const std::string &where = "") {
    if (!entry.contains(name)) throw Error("missing field '" + where + name + "'");
    try {
        return entry.at(name).get<T>();
    } catch (const nlohmann::json::exception &e) {
        throw Error("field '" + where + name + "': " + e.what());
    }
}

// An optional field: `fallback` when it is absent.
template <typename T>
T suite_field(const nlohmann::json &entry, const std::string &name, const T &fallback, const std::string &where) {
    return entry.contains(name) ? suite_field<T>(entry, name, where) : fallback;
}

SuiteConv parse_suite_conv(const nlohmann::json &entry, const std::string &where = "");

// Parses one suite line, turning JSON syntax errors into convgen::Error.
nlohmann::json parse_suite_line(const std::string &line);

}  // namespace convgen::detail
