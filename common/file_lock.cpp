#include "common/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "common/error.h"

namespace nar::common {

namespace {

std::string holder_of(int fd) {
    char buf[256] = {0};
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    std::string s = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == '\0')) s.pop_back();
    return s.empty() ? "another process" : s;
}

}  // namespace

FileLock::FileLock(const std::string& path, bool exclusive, const std::string& what) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw Error(path + ": cannot open the lock file: " + std::strerror(errno));
    if (::flock(fd_, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
        const std::string who = holder_of(fd_);
        ::close(fd_);
        fd_ = -1;
        throw Error(what + " is in use by " + who + " (lock " + path +
                    "); wait for it to finish or stop it");
    }
    if (exclusive) {
        char host[128] = {0};
        gethostname(host, sizeof host - 1);
        const std::string me = std::string("host ") + host + " pid " + std::to_string(getpid());
        if (ftruncate(fd_, 0) == 0) {
            ssize_t ignored = pwrite(fd_, me.data(), me.size(), 0);
            (void)ignored;
        }
    }
}

FileLock::~FileLock() {
    if (fd_ >= 0) ::close(fd_);
}

}  // namespace nar::common
