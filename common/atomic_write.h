#pragma once
// The one temp-then-rename writer: a file at `path` is always whole. `fill`
// writes the complete content to the temporary name it is given
// ("<path>.tmp.<pid>", unique per process so concurrent writers never share
// one); on any failure the temporary is removed and the old file stays.
#include <functional>
#include <string>

namespace nar::common {

void write_atomically(const std::string& path, const std::function<void(const std::string&)>& fill);

// Convenience for text files.
void write_text_atomically(const std::string& path, const std::string& text);

// True for the temporaries write_atomically leaves only when killed mid-write.
bool is_temporary_name(const std::string& path);

}  // namespace nar::common
