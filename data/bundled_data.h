#pragma once
// Where the bundled real data (data/bundled in the source tree) lives at run time.
#include <string>

namespace nar::data {

// $NAR_DATA_DIR if set, else the source tree's data/bundled if it exists; throws
// common::Error saying how to point at the data otherwise.
std::string bundled_data_dir();

// bundled_data_dir() + "/" + relative, checked to exist.
std::string bundled_data_file(const std::string& relative);

}  // namespace nar::data
