#include "data/cell_samples.h"

#include "common/error.h"
#include "data/cell_augment.h"

namespace nar::data {

std::vector<Sample> build_cell_samples(const std::vector<Cell>& cells,
                                       const std::vector<int64_t>& indices,
                                       const std::string& target_name,
                                       const TokenizerOptions& tokenizer, bool with_augmentation) {
    const std::string latency_prefix = "latency:";
    const std::string group = target_name.compare(0, latency_prefix.size(), latency_prefix) == 0
                                  ? target_name.substr(latency_prefix.size())
                                  : std::string();
    std::vector<Sample> out;
    out.reserve(indices.size());
    for (int64_t pos : indices) {
        if (pos < 0 || pos >= static_cast<int64_t>(cells.size()))
            throw common::Error("cell position " + std::to_string(pos) + " out of range (" +
                                std::to_string(cells.size()) + " cells)");
        const Cell& c = cells[pos];
        Sample s;
        s.target = cell_target(c, target_name);
        s.graph = tokenize_cell(c, tokenizer);
        s.group = group;
        s.id = c.index;
        if (with_augmentation)
            if (std::optional<Cell> aug = ac_augment(c))
                s.augmented = tokenize_cell(*aug, tokenizer);
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace nar::data
