#pragma once
#include <stdexcept>
#include <string>

namespace nar::common {

// The one exception type for bad input and failed operations. Its message is
// meant for the user: it names the file and what is wrong.
class Error : public std::runtime_error {
  public:
    explicit Error(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace nar::common
