#include "disk_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <fstream>

#include "aot/build_identity.h"
#include "locked_file.h"

namespace convgen::detail {
namespace {

namespace fs = std::filesystem;

constexpr const char *kMagic = "convgen-kernel-cache 1";
constexpr const char *kEntryExtension = ".kernel";
constexpr const char *kTempSuffix = ".tmp.";  // then "<pid>.<n>", after the entry's name

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
    return directory / (hex(fnv1a(aot::build_identity() + '\n' + key)) + kEntryExtension);
}

bool is_entry(const fs::path &file) { return file.extension() == kEntryExtension; }

std::optional<pid_t> temp_file_writer(const fs::path &file) {
    const std::string name = file.filename().string();
    const std::string marker = std::string(kEntryExtension) + kTempSuffix;
    const size_t at = name.find(marker);
    if (at == std::string::npos) return std::nullopt;
    long pid = 0;
    if (std::sscanf(name.c_str() + at + marker.size(), "%ld.", &pid) != 1 || pid <= 0) {
        return std::nullopt;
    }
    return pid_t(pid);
}

DiskLookup read_entry(const fs::path &directory, const std::string &key) {
    // The shared lock keeps `convgen cache prune` and eviction in other processes off the entry
    // while it is read; an entry unlinked before the lock is still read whole from its inode.
    const LockedFile file(entry_path(directory, key), O_RDONLY, LockedFile::Lock::Shared);
    std::string bytes;
    if (!file.locked()) return {};
    if (!file.read_all(bytes)) return rejected("unreadable");
    size_t at = 0;
    const auto line = [&](std::string &text) {
        const size_t end = bytes.find('\n', at);
        if (end == std::string::npos) return false;
        text = bytes.substr(at, end - at);
        at = end + 1;
        return true;
    };
    std::string magic, build, key_line, payload_line, blank;
    if (!line(magic) || magic != kMagic) return rejected("not a convgen kernel cache entry");
    if (!line(build) || build != "build " + aot::build_identity()) return rejected("another build");
    if (!line(key_line) || key_line != "key " + key) return rejected("another key");
    if (!line(payload_line) || !line(blank) || !blank.empty()) return rejected("truncated header");
    size_t size = 0;
    char checksum[17] = {};
    if (std::sscanf(payload_line.c_str(), "payload %zu %16s", &size, checksum) != 2) return rejected("bad header");
    if (bytes.size() - at < size) return rejected("truncated payload");
    if (bytes.size() - at > size) return rejected("trailing bytes");
    std::string payload = bytes.substr(at);
    if (hex(fnv1a(payload)) != checksum) return rejected("checksum mismatch");
    ::futimens(file.fd(), nullptr);  // last use, for least-recently-used eviction; best effort
    return {std::move(payload), false, {}};
}

std::optional<std::string> entry_key(const fs::path &entry) {
    std::ifstream in(entry, std::ios::binary);
    std::string magic, build, key_line;
    if (!std::getline(in, magic) || magic != kMagic || !std::getline(in, build) || !std::getline(in, key_line) ||
        key_line.rfind("key ", 0) != 0) {
        return std::nullopt;
    }
    return key_line.substr(4);
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
    const fs::path temp = target.string() + kTempSuffix + std::to_string(getpid()) + '.' + std::to_string(counter++);
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
