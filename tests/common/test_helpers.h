#pragma once
// Shared test helpers: the message of an expected error, a scratch directory
// unique to this process, and the golden network list.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "common/error.h"

namespace nar::test {

// The message of the common::Error `fn` throws, or "" when it throws none
// (any other exception propagates and fails the test).
inline std::string error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const common::Error& e) {
        return e.what();
    }
    return "";
}

// A fresh, empty directory under the system temp dir, named after `name`, this
// process and a counter, so parallel test processes never share one. Removed
// by the destructor.
class ScratchDir {
  public:
    explicit ScratchDir(const std::string& name) {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("nar_test_" + name + "_" + std::to_string(::getpid()) + "_" +
                 std::to_string(counter++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::string str() const { return path_.string(); }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

  private:
    std::filesystem::path path_;
};

// The 16 golden networks whose features the authors' code computed (batch 1 and 8).
inline const std::vector<std::string>& golden_networks() {
    static const std::vector<std::string> names = {
        "nnlqp_resnet18-v1-7-no-weight", "tiny_attention",     "tiny_shuffle",
        "tiny_unet_resize",              "tiny_unet_upsample_opset9_nopad",
        "tv_alexnet",                    "tv_densenet121",     "tv_efficientnet_b0",
        "tv_googlenet",                  "tv_mnasnet0_5",      "tv_mobilenet_v2",
        "tv_mobilenet_v3_small",         "tv_resnet18",        "tv_resnet50",
        "tv_squeezenet1_1",              "tv_vgg11"};
    return names;
}

}  // namespace nar::test
