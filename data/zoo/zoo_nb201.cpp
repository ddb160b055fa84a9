#include "data/zoo/zoo_nb201.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "common/atomic_write.h"
#include "common/error.h"
#include "data/nb201.h"
#include "data/nb201_degenerate.h"
#include "data/zoo/family.h"
#include "data/zoo/zoo_generate.h"
#include "data/zoo/zoo_labels.h"

namespace nar::data::zoo {

namespace fs = std::filesystem;

Nb201DatasetReport write_nb201_dataset(const Nb201DatasetOptions& o) {
    const auto cells = load_nb201_bundled();
    if (cells.empty()) throw common::Error("zoo nb201: the bundled NAS-Bench-201 table is empty");
    const std::string target = "latency:" + o.device;
    cell_target(cells[0], target);  // throws listing the device columns
    const fs::path dir = fs::path(o.out) / "onnx" / "nasbench201";
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw common::Error(dir.string() + ": cannot create: " + ec.message());
    NetOptions net;
    net.fold_bn = o.fold_bn;
    std::vector<ZooRow> rows;
    Nb201DatasetReport rep;
    for (const auto& c : cells) {
        if (o.limit > 0 && c.index >= o.limit) break;
        if (nb201_cell_is_degenerate(c.arch)) {
            ++rep.degenerate;
            if (!o.keep_degenerate) continue;
        }
        const std::string name = "nb201_" + std::to_string(c.index) + ".onnx";
        common::write_text_atomically((dir / name).string(),
                                      serialize_model(nasbench201_network(c.arch, net)));
        ZooRow r;
        r.id = c.index;
        r.onnx_path = "onnx/nasbench201/" + name;
        r.batch = 1;
        r.latency_ms = cell_target(c, target);
        r.family = "nasbench201";
        r.platform = o.device;
        r.stage = c.index % 10 == 9 ? "test" : "train";
        rows.push_back(r);
        ++rep.written;
    }
    write_zoo_labels((fs::path(o.out) / kZooLabelFile).string(), rows);
    spdlog::info("zoo nb201: {} networks labelled with {} latency in {}; {} degenerate cells {}",
                 rep.written, o.device, o.out, rep.degenerate,
                 o.keep_degenerate ? "kept" : "excluded (--keep-degenerate keeps them)");
    return rep;
}

}  // namespace nar::data::zoo
