#include "disk_cache.h"

#include <unistd.h>

#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "aot/build_identity.h"

namespace convgen::detail {
namespace {

namespace fs = std::filesystem;

constexpr const char *kMagic = "convgen-kernel-cache 1";

uint64_t fnv1a(const std::string &bytes) {
    uint64_t hash = 0xcbf29ce484222325ull;
    for (unsigned char c : bytes) {
        hash ^= c;
        hash *= 0x100000001b3ull;
    }
    return hash;
}

std::string hex(uint64_t value) {
    char text[17];
    std::snprintf(text, sizeof text, "%016" PRIx64, value);
    return text;
}

std::string header(const std::string &key, const std::string &payload) {
    return std::string(kMagic) + "\nbuild " + aot::build_identity() + "\nkey " + key + "\npayload " +
           std::to_string(payload.size()) + ' ' + hex(fnv1a(payload)) + "\n\n";
}

DiskLookup rejected(std::string reason) { return {std::nullopt, true, std::move(reason)}; }

}  // namespace

fs::path entry_path(const fs::path &directory, const std::string &key) {
    return directory / (hex(fnv1a(aot::build_identity() + '\n' + key)) + ".kernel");
}

DiskLookup read_entry(const fs::path &directory, const std::string &key) {
    std::ifstream in(entry_path(directory, key), std::ios::binary);
    if (!in) return {};
    std::string magic, build, key_line, payload_line, blank;
    if (!std::getline(in, magic) || magic != kMagic) return rejected("not a convgen kernel cache entry");
    if (!std::getline(in, build) || build != "build " + aot::build_identity()) return rejected("another build");
    if (!std::getline(in, key_line) || key_line != "key " + key) return rejected("another key");
    if (!std::getline(in, payload_line) || !std::getline(in, blank) || !blank.empty()) {
        return rejected("truncated header");
    }
    size_t size = 0;
    char checksum[17] = {};
    if (std::sscanf(payload_line.c_str(), "payload %zu %16s", &size, checksum) != 2) return rejected("bad header");
    std::string payload(size, '\0');
    if (!in.read(payload.data(), std::streamsize(size))) return rejected("truncated payload");
    if (in.peek() != std::char_traits<char>::eof()) return rejected("trailing bytes");
    if (hex(fnv1a(payload)) != checksum) return rejected("checksum mismatch");
    return {std::move(payload), false, {}};
}

bool write_entry(const fs::path &directory, const std::string &key, const std::string &payload, std::string &error) {
    static std::atomic<uint64_t> counter{0};
    std::error_code ec;
    fs::create_directories(directory, ec);
    if (ec) {
        error = ec.message();
        return false;
    }
    const fs::path target = entry_path(directory, key);
    const fs::path temp = target.string() + ".tmp." + std::to_string(getpid()) + '.' + std::to_string(counter++);
    {
        std::ofstream out(temp, std::ios::binary);
        out << header(key, payload) << payload;
        if (!out.flush()) {
            error = "cannot write '" + temp.string() + "'";
            out.close();
            fs::remove(temp, ec);
            return false;
        }
    }
    fs::rename(temp, target, ec);
    if (ec) {
        error = ec.message();
        fs::remove(temp, ec);
        return false;
    }
    return true;
}

}  // namespace convgen::detail
