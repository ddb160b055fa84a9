#pragma once
#include <string>

namespace nar::common {

// "0.1.0" and the `git describe` of the build tree ("unknown" outside git).
std::string version();
std::string git_describe();

}  // namespace nar::common
