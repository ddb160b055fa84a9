#include "common/precision.h"

#include "common/error.h"

namespace nar::common {

const std::vector<std::string>& precision_names() {
    static const std::vector<std::string> names = {"float32", "bf16"};
    return names;
}

const std::string& precision_name(Precision p) {
    return precision_names().at(static_cast<size_t>(p));
}

Precision parse_precision(const std::string& name) {
    const auto& names = precision_names();
    for (size_t i = 0; i < names.size(); ++i) {
        if (names[i] == name) return static_cast<Precision>(i);
    }
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    throw Error("unknown precision '" + name + "' (one of " + list + ")");
}

}  // namespace nar::common
