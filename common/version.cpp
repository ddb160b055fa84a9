#include "common/version.h"

namespace nar::common {

std::string version() { return NAR_VERSION; }
std::string git_describe() { return NAR_GIT_DESCRIBE; }

}  // namespace nar::common
