#include "tuning/machine.h"

#include <sched.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

namespace convgen::tuning {
namespace {

// The features Halide targets (and LLVM's instruction selection) can use for fp32 convolutions,
// spelled as /proc/cpuinfo spells them (x86 "flags", ARM "Features").
constexpr std::array codegen_features = {
    "sse4_1", "sse4_2", "avx", "f16c", "fma", "avx2", "avx_vnni",
    "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx512_vnni", "avx512_bf16", "avx512_fp16",
    "amx_tile", "amx_bf16", "amx_int8",
    "neon", "asimd", "asimdhp", "asimddp", "fphp", "i8mm", "bf16", "sve", "sve2",
};

std::string collapse_spaces(const std::string &text) {
    std::istringstream words(text);
    std::string word, out;
    while (words >> word) out += (out.empty() ? "" : " ") + word;
    return out;
}

// The first processor's "key : value" lines.
std::map<std::string, std::string> first_cpuinfo_block() {
    std::map<std::string, std::string> fields;
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) {
            if (!fields.empty()) break;
            continue;
        }
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        fields.emplace(collapse_spaces(line.substr(0, colon)), collapse_spaces(line.substr(colon + 1)));
    }
    return fields;
}

std::string field(const std::map<std::string, std::string> &fields, const std::string &key) {
    const auto it = fields.find(key);
    return it == fields.end() ? std::string() : it->second;
}

std::string model_text(const std::map<std::string, std::string> &cpuinfo) {
    std::string model = field(cpuinfo, "model name");
    auto add = [&](const std::string &label, const std::string &key) {
        const std::string value = field(cpuinfo, key);
        if (!value.empty()) model += (model.empty() ? "" : " ") + label + ' ' + value;
    };
    add("family", "cpu family");
    add("model", "model");
    add("part", "CPU part");
    add("variant", "CPU variant");
    return model.empty() ? "unknown" : model;
}

std::string vendor_text(const std::map<std::string, std::string> &cpuinfo) {
    if (auto vendor = field(cpuinfo, "vendor_id"); !vendor.empty()) return vendor;
    if (auto implementer = field(cpuinfo, "CPU implementer"); !implementer.empty()) return "implementer " + implementer;
    return "unknown";
}

std::vector<std::string> codegen_features_of(const std::map<std::string, std::string> &cpuinfo) {
    std::istringstream flags(field(cpuinfo, "flags") + ' ' + field(cpuinfo, "Features"));
    std::vector<std::string> found;
    std::string flag;
    while (flags >> flag) {
        if (std::find(codegen_features.begin(), codegen_features.end(), flag) != codegen_features.end()) {
            found.push_back(flag);
        }
    }
    std::sort(found.begin(), found.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
    return found;
}

std::string read_word(const std::filesystem::path &path) {
    std::ifstream in(path);
    std::string word;
    in >> word;
    return word;
}

// sysfs sizes read "48K", "2048K", "32M"; 0 for anything else.
int64_t parse_cache_size(const std::string &text) {
    int64_t value = 0;
    size_t i = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) value = value * 10 + (text[i] - '0');
    if (i == 0) return 0;
    const std::string suffix = text.substr(i);
    if (suffix.empty()) return value;
    if (suffix == "K") return value << 10;
    if (suffix == "M") return value << 20;
    if (suffix == "G") return value << 30;
    return 0;
}

void read_caches(MachineIdentity &machine) {
    const std::filesystem::path root = "/sys/devices/system/cpu/cpu0/cache";
    std::error_code error;
    for (const auto &entry : std::filesystem::directory_iterator(root, error)) {
        if (entry.path().filename().string().rfind("index", 0) != 0) continue;
        const std::string level = read_word(entry.path() / "level");
        const std::string type = read_word(entry.path() / "type");
        const int64_t size = parse_cache_size(read_word(entry.path() / "size"));
        if (level == "1" && type == "Data") machine.l1d_bytes = size;
        if (level == "2" && type != "Instruction") machine.l2_bytes = size;
        if (level == "3" && type != "Instruction") machine.l3_bytes = size;
    }
}

// The affinity mask, not the host's CPU count: a container or taskset limited to 2 CPUs tunes
// (and later runs) on 2.
int usable_cores() {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0) return CPU_COUNT(&set);
    return static_cast<int>(std::thread::hardware_concurrency());
}

}  // namespace

std::string MachineIdentity::class_key() const {
    auto sorted = isa_features;  // records written by hand need not list them sorted
    std::sort(sorted.begin(), sorted.end());
    std::string features;
    for (const auto &feature : sorted) features += (features.empty() ? "" : ",") + feature;
    return "vendor=" + vendor + "; model=" + cpu_model + "; features=" + features +
           "; l1d=" + std::to_string(l1d_bytes) + "; l2=" + std::to_string(l2_bytes) +
           "; l3=" + std::to_string(l3_bytes) + "; cores=" + std::to_string(cores);
}

MachineIdentity this_machine() {
    const auto cpuinfo = first_cpuinfo_block();
    MachineIdentity machine;
    machine.vendor = vendor_text(cpuinfo);
    machine.cpu_model = model_text(cpuinfo);
    machine.isa_features = codegen_features_of(cpuinfo);
    read_caches(machine);
    machine.cores = usable_cores();
    return machine;
}

}  // namespace convgen::tuning
