#include "common/atomic_write.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "common/error.h"

namespace nar::common {

void write_atomically(const std::string& path,
                      const std::function<void(const std::string&)>& fill) {
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    try {
        fill(tmp);
    } catch (...) {
        std::remove(tmp.c_str());
        throw;
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        std::remove(tmp.c_str());
        throw Error(path + ": cannot move the finished file into place: " + std::strerror(err));
    }
}

void write_text_atomically(const std::string& path, const std::string& text) {
    write_atomically(path, [&](const std::string& tmp) {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << text;
        out.flush();
        if (!out) {
            const int err = errno;
            throw Error(path + ": cannot write: " + std::strerror(err));
        }
    });
}

bool is_temporary_name(const std::string& path) {
    const auto slash = path.find_last_of('/');
    const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    const auto pos = name.rfind(".tmp");
    if (pos == std::string::npos) return false;
    const std::string rest = name.substr(pos + 4);
    if (rest.empty()) return true;
    if (rest[0] != '.') return false;
    return rest.size() > 1 && rest.find_first_not_of("0123456789", 1) == std::string::npos;
}

}  // namespace nar::common
