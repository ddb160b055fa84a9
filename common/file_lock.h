#pragma once
// An advisory lock (flock) on a lock file, held for the object's lifetime. The
// holder writes its host and pid into the file, so a refused process can say
// who holds it. The kernel drops the lock when the holder dies, so a crash
// never leaves a directory locked.
#include <string>

namespace nar::common {

class FileLock {
  public:
    // exclusive: one holder; shared: any number of shared holders, no exclusive.
    // Never blocks: throws common::Error naming the holder when taken.
    FileLock(const std::string& path, bool exclusive, const std::string& what);
    ~FileLock();
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

  private:
    int fd_ = -1;
};

}  // namespace nar::common
