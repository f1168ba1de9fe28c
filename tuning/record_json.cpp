// TuningRecord <-> one JSON line, and the checks both directions share.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

#include "aot/build_identity.h"
#include "convgen/errors.h"
#include "tuning/database.h"

namespace convgen::tuning {
namespace {

constexpr int record_format = 1;

// Why a record could never be used (or loaded back), or nullopt.
std::optional<std::string> record_problem(const TuningRecord &record) {
    if (record.target.empty()) return "the target is empty";
    if (record.spec_key.empty()) return "the spec_key is empty";
    if (record.family.empty()) return "the family is empty";
    if (record.config.empty()) return "the config is empty";
    if (record.threads < 1) return "threads is " + std::to_string(record.threads) + ", not >= 1";
    if (!std::isfinite(record.ms) || record.ms <= 0) return "ms is " + std::to_string(record.ms) + ", not > 0";
    if (!std::isfinite(record.gflops) || record.gflops < 0) return "gflops is " + std::to_string(record.gflops);
    const auto &m = record.machine;
    if (m.l1d_bytes < 0 || m.l2_bytes < 0 || m.l3_bytes < 0 || m.cores < 0) return "a machine size is negative";
    return std::nullopt;
}

const nlohmann::json &member(const nlohmann::json &object, const char *name) {
    const auto it = object.find(name);
    if (it == object.end()) throw RuntimeError(std::string("field '") + name + "' is missing");
    return *it;
}

std::string text_member(const nlohmann::json &object, const char *name) {
    const auto &value = member(object, name);
    if (!value.is_string()) throw RuntimeError(std::string("field '") + name + "' is not a string");
    return value.get<std::string>();
}

int64_t integer_member(const nlohmann::json &object, const char *name) {
    const auto &value = member(object, name);
    if (!value.is_number_integer()) throw RuntimeError(std::string("field '") + name + "' is not an integer");
    return value.get<int64_t>();
}

int int_member(const nlohmann::json &object, const char *name) {
    const int64_t value = integer_member(object, name);
    if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) throw RuntimeError(std::string("field '") + name + "' is out of range");
    return static_cast<int>(value);
}

double number_member(const nlohmann::json &object, const char *name) {
    const auto &value = member(object, name);
    if (!value.is_number()) throw RuntimeError(std::string("field '") + name + "' is not a number");
    return value.get<double>();
}

MachineIdentity machine_from_json(const nlohmann::json &object) {
    if (!object.is_object()) throw RuntimeError("field 'machine' is not an object");
    MachineIdentity machine;
    machine.vendor = text_member(object, "vendor");
    machine.cpu_model = text_member(object, "cpu_model");
    const auto &features = member(object, "isa_features");
    if (!features.is_array()) throw RuntimeError("field 'isa_features' is not an array");
    for (const auto &feature : features) {
        if (!feature.is_string()) throw RuntimeError("field 'isa_features' holds a non-string");
        machine.isa_features.push_back(feature.get<std::string>());
    }
    machine.l1d_bytes = integer_member(object, "l1d_bytes");
    machine.l2_bytes = integer_member(object, "l2_bytes");
    machine.l3_bytes = integer_member(object, "l3_bytes");
    machine.cores = int_member(object, "cores");
    return machine;
}

std::string utc_now_iso8601() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

}  // namespace

TuningRecord record_stamped_now() {
    TuningRecord record;
    record.date = utc_now_iso8601();
    record.convgen_version = aot::convgen_version();
    record.halide_version = aot::halide_version();
    return record;
}

std::string record_to_json_line(const TuningRecord &record) {
    if (auto problem = record_problem(record)) throw ValueError("invalid tuning record: " + *problem);
    const auto &m = record.machine;
    // Ordered so a line reads as TVM's do: what was measured, how, the result, then provenance.
    nlohmann::ordered_json line = {
        {"format", record_format}, {"spec_key", record.spec_key}, {"family", record.family},
        {"config", record.config}, {"threads", record.threads}, {"target", record.target},
        {"ms", record.ms}, {"gflops", record.gflops}, {"date", record.date},
        {"convgen_version", record.convgen_version}, {"halide_version", record.halide_version},
        {"machine", {{"vendor", m.vendor}, {"cpu_model", m.cpu_model}, {"isa_features", m.isa_features},
                     {"l1d_bytes", m.l1d_bytes}, {"l2_bytes", m.l2_bytes}, {"l3_bytes", m.l3_bytes},
                     {"cores", m.cores}}},
    };
    if (record.confirmed) line["confirmed"] = true;  // absent in older files: not confirmed
    try {
        return line.dump();
    } catch (const nlohmann::json::type_error &error) {
        throw ValueError(std::string("invalid tuning record: ") + error.what());
    }
}

TuningRecord record_from_json_line(const std::string &line) {
    nlohmann::json object;
    try {
        object = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error &error) {
        throw RuntimeError(std::string("not a JSON line: ") + error.what());
    }
    if (!object.is_object()) throw RuntimeError("not a JSON object");
    if (const int64_t format = integer_member(object, "format"); format != record_format) {
        throw RuntimeError("record format " + std::to_string(format) + " is not " + std::to_string(record_format) +
                           " (written by another convgen version)");
    }
    TuningRecord record;
    record.machine = machine_from_json(member(object, "machine"));
    record.threads = int_member(object, "threads");
    record.target = text_member(object, "target");
    record.spec_key = text_member(object, "spec_key");
    record.family = text_member(object, "family");
    record.config = text_member(object, "config");
    record.ms = number_member(object, "ms");
    record.gflops = number_member(object, "gflops");
    if (const auto confirmed = object.find("confirmed"); confirmed != object.end()) {
        if (!confirmed->is_boolean()) throw RuntimeError("'confirmed' is not true or false");
        record.confirmed = confirmed->get<bool>();
    }
    record.date = text_member(object, "date");
    record.convgen_version = text_member(object, "convgen_version");
    record.halide_version = text_member(object, "halide_version");
    if (auto problem = record_problem(record)) throw RuntimeError(*problem);
    return record;
}

}  // namespace convgen::tuning
