// The layering of shared/spec/runner.md, checked on the includes of every
// source file: model/ and data/ see nothing of each other nor of jobs/,
// runner/, app/; jobs/ sees no model or data header but ModelConfig's (a
// torch-free value whose keys and names the parameter table takes rather than
// repeat); slurm/ sees only jobs/ and common/; no library includes app/.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>

namespace {

namespace fs = std::filesystem;

const std::map<std::string, std::set<std::string>> kAllowed = {
    {"common", {"common"}},
    {"model", {"common", "model"}},
    {"data", {"common", "data"}},
    {"jobs", {"common", "jobs"}},
    {"slurm", {"common", "jobs", "slurm"}},
    {"runner", {"common", "model", "data", "jobs", "runner"}},
    {"app", {"common", "model", "data", "jobs", "runner", "slurm", "app"}},
};

// Single headers a directory may include beyond kAllowed.
const std::map<std::string, std::set<std::string>> kAllowedHeaders = {
    {"jobs", {"model/model_config.h"}},
};

TEST(Layering, IncludesPointDownOnly) {
    const fs::path root = NAR_SOURCE_DIR;
    const std::regex inc(R"re(^\s*#\s*include\s*"(([a-z_]+)/[^"]*)")re");
        int files = 0;
    for (const auto& [dir, allowed] : kAllowed) {
        for (const auto& e : fs::recursive_directory_iterator(root / dir)) {
            const auto ext = e.path().extension();
            if (ext != ".h" && ext != ".cpp") continue;
            ++files;
            std::ifstream in(e.path());
            std::string line;
            int lineno = 0;
            while (std::getline(in, line)) {
                ++lineno;
                std::smatch m;
                if (!std::regex_search(line, m, inc)) continue;
                const std::string header = m[1], target = m[2];
                if (!kAllowed.count(target)) continue;  // not a project directory
                const auto extra = kAllowedHeaders.find(dir);
                if (extra != kAllowedHeaders.end() && extra->second.count(header)) continue;
                EXPECT_TRUE(allowed.count(target))
                    << e.path().string() << ":" << lineno << " includes " << target << "/";
            }
        }
    }
    EXPECT_GT(files, 100);
}

TEST(Layering, DataHasNoLibTorch) {
    const fs::path root = NAR_SOURCE_DIR;
    for (const auto& e : fs::recursive_directory_iterator(root / "data")) {
        const auto ext = e.path().extension();
        if (ext != ".h" && ext != ".cpp") continue;
        std::ifstream in(e.path());
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        EXPECT_EQ(text.find("#include <torch/"), std::string::npos) << e.path();
    }
}

}  // namespace
