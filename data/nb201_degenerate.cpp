#include "data/nb201_degenerate.h"

#include "data/nb201.h"

namespace nar::data {

bool nb201_cell_is_degenerate(const std::string& arch) {
    // ops[1..6] are the edges (to <- from): 1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2.
    const std::vector<int> ops = nb201_ops_from_string(arch);
    constexpr int kNone = 5;
    const int edge_to[] = {1, 2, 2, 3, 3, 3}, edge_from[] = {0, 0, 1, 0, 1, 2};
    bool reach[4] = {true, false, false, false};
    for (int e = 0; e < 6; ++e)  // edges are in topological order of their target
        if (ops[e + 1] != kNone && reach[edge_from[e]]) reach[edge_to[e]] = true;
    return !reach[3];
}

}  // namespace nar::data
