#include "data/zoo/sampling_space.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "common/numbers.h"
#include "data/bundled_data.h"

namespace nar::data::zoo {

using nar::common::Error;

namespace {

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    const auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

size_t indent_of(const std::string& s) { return s.find_first_not_of(' '); }

// "[a, b, 'c']" -> {"a", "b", "c"}
std::vector<std::string> parse_list(const std::string& v, const std::string& where) {
    if (v.size() < 2 || v.front() != '[' || v.back() != ']')
        throw Error(where + "expected a [list], got '" + v + "'");
    std::vector<std::string> out;
    std::stringstream ss(v.substr(1, v.size() - 2));
    for (std::string item; std::getline(ss, item, ',');) {
        item = trim(item);
        if (item.size() >= 2 && (item.front() == '\'' || item.front() == '"'))
            item = item.substr(1, item.size() - 2);
        if (!item.empty()) out.push_back(item);
    }
    return out;
}

double to_number(const std::string& s, const std::string& where) {
    const auto v = common::try_parse_double(s);
    if (!v || !std::isfinite(*v)) throw Error(where + "'" + s + "' is not a number");
    return *v;
}

}  // namespace

const std::vector<double>& SamplingSpace::choices(const std::string& name) const {
    auto it = dims.find(name);
    if (it == dims.end()) throw Error(path + ": sample_space has no '" + name + "'");
    return it->second;
}

SamplingSpace read_sampling_space(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error(path + ": cannot open sampling space");
    SamplingSpace s;
    s.path = path;
    std::string line, section, dim;
    std::map<std::string, double> range;  // start/end/step of the open range `dim`
    auto close_range = [&](const std::string& where) {
        if (dim.empty() || range.empty()) return;
        if (!range.count("start") || !range.count("end") || !range.count("step") ||
            range["step"] <= 0 || range["end"] < range["start"])
            throw Error(where + "range '" + dim + "' needs start <= end and step > 0");
        auto& c = s.dims[dim];
        const int n =
            static_cast<int>(std::floor((range["end"] - range["start"]) / range["step"] + 1e-6));
        // Rounded to 1e-6 so 0.2 + 3 * 0.1 reads 0.5, as the YAML author meant.
        for (int i = 0; i <= n; ++i)
            c.push_back(std::round((range["start"] + i * range["step"]) * 1e6) / 1e6);
        range.clear();
    };
    int lineno = 0;
    while (std::getline(in, line)) {
        ++lineno;
        const std::string where = path + ":" + std::to_string(lineno) + ": ";
        const std::string t = trim(line);
        if (t.empty() || t[0] == '#') continue;
        const auto colon = t.find(':');
        if (colon == std::string::npos) throw Error(where + "expected 'key: value'");
        const std::string key = trim(t.substr(0, colon)), value = trim(t.substr(colon + 1));
        const size_t ind = indent_of(line);
        if (ind == 0) {
            close_range(where);
            dim.clear();
            section = key;
            if (key == "model_family") s.family = value;
            if (key == "modelids") s.model_ids = parse_list(value, where);
        } else if (section == "sample_space" && value.empty()) {
            close_range(where);
            dim = key;
        } else if (section == "sample_space" && value.front() == '[') {
            close_range(where);
            dim.clear();
            for (const auto& v : parse_list(value, where))
                s.dims[key].push_back(to_number(v, where));
        } else if (section == "sample_space" && !dim.empty()) {
            range[key] = to_number(value, where);
        } else {
            throw Error(where + "unexpected line in section '" + section + "'");
        }
    }
    close_range(path + ":" + std::to_string(lineno) + ": ");
    if (s.family.empty()) throw Error(path + ": no model_family");
    return s;
}

SamplingSpace bundled_sampling_space(const std::string& family) {
    return read_sampling_space(bundled_data_file("nnmeter-generator/" + family + ".yaml"));
}

}  // namespace nar::data::zoo
