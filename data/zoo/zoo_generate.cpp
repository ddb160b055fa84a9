#include "data/zoo/zoo_generate.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "common/atomic_write.h"
#include "common/error.h"
#include "data/bundled_data.h"
#include "data/zoo/zoo_labels.h"

namespace nar::data::zoo {

namespace fs = std::filesystem;
using nar::common::Error;

std::string serialize_model(const onnx::ModelProto& model) {
    std::string bytes;
    {
        google::protobuf::io::StringOutputStream sos(&bytes);
        google::protobuf::io::CodedOutputStream cos(&sos);
        cos.SetSerializationDeterministic(true);
        model.SerializeToCodedStream(&cos);
    }
    return bytes;
}

onnx::ModelProto zoo_model(const FamilyDef& family, const SamplingSpace* space, Sampler* sampler,
                           const NetOptions& net, std::string* key) {
    if (!sampler) {
        Draw d;
        if (key) *key = "default";
        return family.build(family.variants[0], d, net);
    }
    Draw d(space, sampler);
    const size_t v = d.variant(family.variants.size());
    onnx::ModelProto m = family.build(family.variants[v], d, net);
    if (key) *key = d.key();
    return m;
}

GenerateReport generate_zoo(const GenerateOptions& o) {
    const FamilyDef& family = find_family(o.family);
    if (o.count < 1) throw Error("zoo generate: --count must be at least 1");
    if (o.net.batch < 1 || o.net.input < 16 || o.net.input > 1024)
        throw Error("zoo generate: batch must be >= 1 and input in [16, 1024]");
    if (o.test_fraction < 0 || o.test_fraction >= 1)
        throw Error("zoo generate: test fraction must be in [0, 1)");
    SamplingSpace space;
    if (!family.space.empty()) space = read_sampling_space(bundled_data_file(family.space));
    const fs::path dir = fs::path(o.out) / "onnx" / family.name;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error(dir.string() + ": cannot create: " + ec.message());

    const std::string labels = (fs::path(o.out) / kZooLabelFile).string();
    std::vector<ZooRow> rows;
    if (fs::exists(labels))
        for (const auto& r : read_zoo_labels(labels))
            if (r.family != family.name) rows.push_back(r);
    int64_t next_id = 0;
    for (const auto& r : rows) next_id = std::max(next_id, r.id + 1);

    Sampler sampler(o.seed);
    std::set<std::string> seen;
    GenerateReport rep;
    const int64_t n_test = static_cast<int64_t>(std::floor(o.count * o.test_fraction));
    const int64_t max_draws = 50 * o.count + 100;
    int64_t draws = 0;
    for (int64_t i = 0; i < o.count; ++i) {
        std::string key;
        onnx::ModelProto m;
        for (;;) {
            if (++draws > max_draws)
                throw Error("zoo generate: family '" + family.name + "' gave only " +
                            std::to_string(i) + " distinct networks in " +
                            std::to_string(max_draws) + " draws; ask for fewer");
            m = zoo_model(family, &space, i == 0 ? nullptr : &sampler, o.net, &key);
            std::string bytes = serialize_model(m);
            if (seen.insert(bytes).second) break;
            ++rep.duplicates;
        }
        const std::string name = family.name + "_" + std::to_string(i) + ".onnx";
        common::write_text_atomically((dir / name).string(), serialize_model(m));
        ZooRow r;
        r.id = next_id++;
        r.onnx_path = "onnx/" + family.name + "/" + name;
        r.batch = o.net.batch;
        r.latency_ms = NAN;
        r.family = family.name;
        r.platform = kUnmeasuredPlatform;
        r.stage = i >= o.count - n_test ? "test" : "train";
        rows.push_back(r);
        ++rep.written;
    }
    write_zoo_labels(labels, rows);
    spdlog::info("zoo generate: {} {} networks in {} ({} duplicate draws rejected)", rep.written,
                 family.name, dir.string(), rep.duplicates);
    return rep;
}

}  // namespace nar::data::zoo
