// The zoo's sweep files hold out every generated family in Table 2 (the family list is
// zoo_families(); the sweep files, which nar_jobs reads without the zoo, must agree).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "data/zoo/family.h"
#include "jobs/sweep_file.h"

namespace {

namespace zoo = nar::data::zoo;

// Every family with an ImageNet network (nasbench201 is a NAS space, not an NNLQP family).
std::set<std::string> imagenet_families() {
    std::set<std::string> names;
    for (const auto& f : zoo::zoo_families())
        if (f.name != "nasbench201") names.insert(f.name);
    return names;
}

const nar::jobs::SweepParam& param(const nar::jobs::SweepFile& s, const std::string& study,
                                   const std::string& key) {
    for (const auto& st : s.studies) {
        if (st.name != study) continue;
        for (const auto& p : st.params)
            if (p.key == key) return p;
    }
    throw std::runtime_error(s.path + ": no " + study + "." + key);
}

class ZooSweepFile : public testing::TestWithParam<const char*> {};

TEST_P(ZooSweepFile, Table2HoldsOutEveryFamilyAndTable6EfficientNet) {
    const std::string path = std::string(NAR_SOURCE_DIR) + "/examples/" + GetParam();
    const auto s = nar::jobs::parse_sweep_file(path, {"zoo_root=/tmp/zoo"});
    const auto& t2 = param(s, "table2", "holdout");
    EXPECT_TRUE(t2.is_list);
    EXPECT_EQ(std::set<std::string>(t2.values.begin(), t2.values.end()), imagenet_families())
        << path;
    EXPECT_EQ(t2.values.size(), imagenet_families().size()) << path << ": a family twice";
    const auto& t6 = param(s, "table6", "holdout");
    ASSERT_EQ(t6.values.size(), 1u);
    EXPECT_EQ(t6.values[0], "efficientnet");
    const auto& rows = param(s, "table5", "variant");
    EXPECT_EQ(rows.values.size(), 6u) << path << ": all six ablation rows";
}

INSTANTIATE_TEST_SUITE_P(Examples, ZooSweepFile, testing::Values("zoo.toml", "zoo_quick.toml"),
                         [](const auto& i) {
                             std::string n = i.param;
                             return n.substr(0, n.find('.'));
                         });

}  // namespace
