#pragma once
// Reading suite entries' JSON fields, shared by the layer and block suites: every error names
// the field it is about.
#include <fstream>
#include <string>
#include <vector>

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
SuiteEntry parse_suite_entry(const nlohmann::json &entry);

// Parses one suite line, turning JSON syntax errors into convgen::Error.
nlohmann::json parse_suite_line(const std::string &line);

// Every non-blank line of the file at `path` as `parse` reads it; errors name the file and line
// ("cannot open <file_kind> file '<path>'", "<path>:<line>: invalid <entry_kind> entry: ...").
template <typename Entry, typename Parse>
std::vector<Entry> read_suite_lines(const std::string &path, const std::string &file_kind,
                                    const std::string &entry_kind, Parse parse) {
    std::ifstream file(path);
    if (!file) throw Error("cannot open " + file_kind + " file '" + path + "'");
    std::vector<Entry> entries;
    std::string line;
    for (int line_number = 1; std::getline(file, line); ++line_number) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        try {
            entries.push_back(parse(parse_suite_line(line)));
        } catch (const Error &e) {
            throw Error(path + ":" + std::to_string(line_number) + ": invalid " + entry_kind + " entry: " + e.what());
        }
    }
    return entries;
}

}  // namespace convgen::detail
