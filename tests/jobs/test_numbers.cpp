// common/numbers and common/json, the one number parser and the one JSON
// quoter that params, label files, CSVs, model configs and the JSON outputs share.
#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"
#include "common/json.h"
#include "common/numbers.h"
#include "tests/common/test_helpers.h"

namespace nar::common {
namespace {

using test::error_of;

TEST(Numbers, TryParseTakesWholeNumbersOnly) {
    EXPECT_EQ(try_parse_int64("42"), 42);
    EXPECT_EQ(try_parse_int64("-7"), -7);
    EXPECT_EQ(try_parse_int64("+7"), 7);
    EXPECT_EQ(try_parse_int64("9223372036854775807"), INT64_MAX);
    for (const char* bad : {"", " ", "4 ", " 4", "4x", "3.5", "1e3", "9223372036854775808", "-"})
        EXPECT_FALSE(try_parse_int64(bad).has_value()) << "'" << bad << "'";
    EXPECT_EQ(try_parse_double("0.25"), 0.25);
    EXPECT_EQ(try_parse_double("1e-3"), 1e-3);
    EXPECT_TRUE(std::isinf(*try_parse_double("1e999")));  // finite or not: callers decide
    EXPECT_TRUE(std::isnan(*try_parse_double("nan")));
    for (const char* bad : {"", "\t", "0.1x", "1 2", "0.5 ", "--1"})
        EXPECT_FALSE(try_parse_double(bad).has_value()) << "'" << bad << "'";
}

TEST(Numbers, ThrowingParsersNameWhatAndWhy) {
    EXPECT_EQ(parse_int64("12", "epochs"), 12);
    EXPECT_EQ(error_of([] { parse_int64("12x", "epochs"); }), "epochs: '12x' is not an integer");
    EXPECT_NE(error_of([] { parse_int64("99999999999999999999", "n"); }).find("64-bit"),
              std::string::npos);
    EXPECT_EQ(error_of([] { parse_double("", "lr"); }), "lr: '' is not a number");
    EXPECT_EQ(format_double(0.05), "0.05");
}

TEST(Json, StringsAreQuotedAndEscaped) {
    EXPECT_EQ(json_string("plain"), "\"plain\"");
    EXPECT_EQ(json_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
    EXPECT_EQ(json_string("l1\nl2\tx"), "\"l1\\nl2\\tx\"");
    EXPECT_EQ(json_string(std::string("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
    EXPECT_EQ(json_string("résumé"), "\"résumé\"");  // UTF-8 passes through
}

}  // namespace
}  // namespace nar::common
