#pragma once
// Entries of the persistent kernel cache. One file per kernel, named by a hash of its key:
//   convgen-kernel-cache 1\n
//   build <convgen version, code fingerprint, Halide version>\n
//   key <target|schedule|OpSpec key>\n
//   payload <bytes> <FNV-1a 64 of the payload, hex>\n
//   \n
//   <payload: the kernel's shared object>
// An entry is used only when every header line matches and the payload checks; anything else
// (truncated, garbage, another key or build) is reported as rejected and rebuilt. The entry's
// mtime is its last use: set when written and on every verified read (cache_maintenance.h).
// Temp files being written are named "<entry>.tmp.<pid>.<n>".
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

namespace convgen::detail {

struct DiskLookup {
    std::optional<std::string> payload;  // set on a verified hit
    bool rejected = false;               // an entry existed but failed verification
    std::string reason;
};

std::filesystem::path entry_path(const std::filesystem::path &directory, const std::string &key);
bool is_entry(const std::filesystem::path &file);
// The process that is (or was) writing `file`, or nullopt when it is no entry's temp file.
std::optional<pid_t> temp_file_writer(const std::filesystem::path &file);
// Reads under a shared flock(2), which eviction respects.
DiskLookup read_entry(const std::filesystem::path &directory, const std::string &key);
// The key in an entry file's header, or nullopt when it is not an entry.
std::optional<std::string> entry_key(const std::filesystem::path &entry);
// Writes to a unique temp file in the directory, then renames it over the entry, so readers in
// any process see the old entry or the whole new one. False (and `error`) when it cannot write.
bool write_entry(const std::filesystem::path &directory, const std::string &key, const std::string &payload,
                 std::string &error);

}  // namespace convgen::detail
