#pragma once
// Table 5's rows as parameter settings (protocol.md): `variant = "row4"` is the
// same as writing its settings out. Variants are values, never code edits.
#include <string>
#include <utility>
#include <vector>

namespace nar::jobs {

struct Variant {
    std::string name;         // "row1" .. "row6"
    std::string description;  // the row's label in the paper
    std::vector<std::pair<std::string, std::string>> settings;  // key, value
};

const std::vector<Variant>& variants();
const Variant* find_variant(const std::string& name);

}  // namespace nar::jobs
