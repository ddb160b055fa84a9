#include "data/zoo/zoo_labels.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>

#include "common/atomic_write.h"
#include "common/error.h"
#include "common/numbers.h"

namespace nar::data::zoo {

using nar::common::Error;

bool ZooRow::measured() const { return std::isfinite(latency_ms); }

std::vector<ZooRow> read_zoo_labels(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error(path + ": cannot open the zoo label file");
    std::vector<ZooRow> rows;
    std::string line;
    int lineno = 0;
    while (std::getline(in, line)) {
        ++lineno;
        std::istringstream ss(line);
        std::vector<std::string> f;
        for (std::string t; ss >> t;) f.push_back(t);
        if (f.empty() || f[0][0] == '#') continue;
        const std::string where = path + ":" + std::to_string(lineno) + ": ";
        if (f.size() != 7)
            throw Error(where + "expected 7 fields (id onnx_path batch latency_ms family " +
                        "platform stage), got " + std::to_string(f.size()));
        ZooRow r;
        const auto id = common::try_parse_int64(f[0]), batch = common::try_parse_int64(f[2]);
        const auto ms = f[3] == "nan" ? std::optional<double>(NAN) : common::try_parse_double(f[3]);
        if (!id || !batch || !ms) throw Error(where + "bad id, batch or latency");
        r.id = *id;
        r.batch = *batch;
        r.latency_ms = *ms;
        if (r.batch <= 0 || (r.measured() && r.latency_ms <= 0))
            throw Error(where + "batch and latency must be positive");
        r.onnx_path = f[1];
        r.family = f[4];
        r.platform = f[5];
        r.stage = f[6];
        if (r.stage != "train" && r.stage != "test")
            throw Error(where + "stage must be train or test, got '" + r.stage + "'");
        rows.push_back(r);
    }
    return rows;
}

void write_zoo_labels(const std::string& path, const std::vector<ZooRow>& rows) {
    std::ostringstream out;
    out << "# nar zoo labels (NNLQP gt.txt): id onnx_path batch latency_ms family platform "
           "stage; latency nan = not measured yet (nar zoo measure)\n";
    for (const auto& r : rows) {
        char lat[32];
        if (r.measured())
            std::snprintf(lat, sizeof lat, "%.6g", r.latency_ms);
        else
            std::snprintf(lat, sizeof lat, "nan");
        out << r.id << ' ' << r.onnx_path << ' ' << r.batch << ' ' << lat << ' ' << r.family << ' '
            << r.platform << ' ' << r.stage << '\n';
    }
    common::write_text_atomically(path, out.str());
}

}  // namespace nar::data::zoo
