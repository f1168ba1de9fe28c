#pragma once
// An open file (or directory) holding an flock(2) lock until it is destroyed. flock locks belong
// to the open file description, so two opens in one process exclude each other just as two
// processes do; the lock goes with the descriptor if the process dies.
#include <filesystem>
#include <string>

namespace convgen::detail {

class LockedFile {
public:
    enum class Lock {
        Shared,            // waits for exclusive holders
        Exclusive,         // waits for every other holder
        ExclusiveIfFree,   // fails at once when anyone else holds a lock
    };
    // Opens `path` with open(2) `flags` (O_CLOEXEC added; O_CREAT creates it 0644) and locks it.
    LockedFile(const std::filesystem::path &path, int flags, Lock lock);
    ~LockedFile();
    LockedFile(const LockedFile &) = delete;
    LockedFile &operator=(const LockedFile &) = delete;

    // False when the open or the lock failed.
    bool locked() const { return fd_ >= 0; }
    // An ExclusiveIfFree lock failed because someone else holds a lock.
    bool held_elsewhere() const { return held_elsewhere_; }
    int fd() const { return fd_; }
    // The whole file from its start; false on a read error.
    bool read_all(std::string &bytes) const;

private:
    int fd_ = -1;
    bool held_elsewhere_ = false;
};

}  // namespace convgen::detail
