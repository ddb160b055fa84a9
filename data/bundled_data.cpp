#include "data/bundled_data.h"

#include <cstdlib>
#include <filesystem>

#include "common/error.h"

#ifndef NAR_BUNDLED_DATA_DIR
#define NAR_BUNDLED_DATA_DIR ""
#endif

namespace nar::data {

std::string bundled_data_dir() {
    if (const char* env = std::getenv("NAR_DATA_DIR"); env && *env) {
        if (!std::filesystem::is_directory(env))
            throw common::Error(std::string("NAR_DATA_DIR='") + env + "' is not a directory");
        return env;
    }
    std::string built_in = NAR_BUNDLED_DATA_DIR;
    if (!built_in.empty() && std::filesystem::is_directory(built_in)) return built_in;
    throw common::Error("bundled data not found: '" + built_in +
                        "' does not exist; set NAR_DATA_DIR to the directory holding "
                        "nb201/, nb101/ and nnlqp/");
}

std::string bundled_data_file(const std::string& relative) {
    std::string path = bundled_data_dir() + "/" + relative;
    if (!std::filesystem::exists(path))
        throw common::Error("bundled data file '" + path + "' does not exist");
    return path;
}

}  // namespace nar::data
