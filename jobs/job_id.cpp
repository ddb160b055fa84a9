#include "jobs/job_id.h"

#include <cctype>
#include <cstdio>
#include <sstream>

#include "common/fnv1a.h"

namespace nar::jobs {

uint64_t seed_from_id(const std::string& id) { return common::fnv1a64(id) & 0x7fffffffULL; }

std::string config_hash(const JobConfig& cfg) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx",
                  static_cast<unsigned long long>(common::fnv1a64(cfg.identity_text())));
    return buf;
}

std::string sanitize_id_component(const std::string& value) {
    std::string out;
    for (unsigned char c : value) {
        char l = static_cast<char>(std::tolower(c));
        bool ok =
            (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '.' || l == '-' || l == '_';
        out += ok ? l : '_';
    }
    if (out.empty() || out == "." || out == "..") out = "_" + out;
    return out;
}

std::string repeat_tag(int repeat) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "r%02d", repeat);
    return buf;
}

std::string config_id(const std::string& job_id, int* repeat) {
    if (repeat) *repeat = -1;
    size_t slash = job_id.rfind('/');
    std::string last = slash == std::string::npos ? job_id : job_id.substr(slash + 1);
    if (last.size() < 2 || last[0] != 'r') return job_id;
    for (size_t i = 1; i < last.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(last[i]))) return job_id;
    }
    if (repeat) *repeat = last.size() > 9 ? -1 : std::stoi(last.substr(1));
    return slash == std::string::npos ? std::string() : job_id.substr(0, slash);
}

std::string config_text(const std::map<std::string, std::string>& params) {
    std::string out;
    for (const auto& [k, v] : params) out += k + "=" + v + "\n";
    return out;
}

std::map<std::string, std::string> parse_config_text(const std::string& text) {
    std::map<std::string, std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        size_t eq = line.find('=');
        if (eq == std::string::npos) continue;
        std::string key = line.substr(0, eq);
        if (key.rfind("model.", 0) == 0) key = key.substr(6);
        out[key] = line.substr(eq + 1);
    }
    return out;
}

}  // namespace nar::jobs
