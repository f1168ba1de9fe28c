#include "locked_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

namespace convgen::detail {

LockedFile::LockedFile(const std::filesystem::path &path, int flags, Lock lock) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
    if (fd < 0) return;
    const int operation = lock == Lock::Shared      ? LOCK_SH
                          : lock == Lock::Exclusive ? LOCK_EX
                                                    : LOCK_EX | LOCK_NB;
    int status;
    do {
        status = ::flock(fd, operation);
    } while (status != 0 && errno == EINTR);
    if (status != 0) {
        held_elsewhere_ = errno == EWOULDBLOCK;
        ::close(fd);
        return;
    }
    fd_ = fd;
}

LockedFile::~LockedFile() {
    if (fd_ >= 0) ::close(fd_);
}

bool LockedFile::read_all(std::string &bytes) const {
    bytes.clear();
    char chunk[1 << 16];
    for (off_t offset = 0;;) {
        const ssize_t got = ::pread(fd_, chunk, sizeof chunk, offset);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return false;
        if (got == 0) return true;
        bytes.append(chunk, size_t(got));
        offset += got;
    }
}

}  // namespace convgen::detail
