// The NAS-Bench-201 network of one cell string (Dong & Yang 2020): stem 3x3 conv to
// C=16 + BN, three stages of N=5 cells (C = 16, 32, 64) joined by the benchmark's
// residual reduction blocks, BN + ReLU, global pooling and a 10-way classifier, on
// 32x32 inputs. Inside a cell node j sums op(i->j) over i < j; a `none` edge adds
// nothing, and a node with no live input is zero (exported as input * 0).
#include <string>
#include <vector>

#include "common/error.h"
#include "data/nb201.h"
#include "data/zoo/family.h"
#include "data/zoo/graph_builder.h"

namespace nar::data::zoo {

using nar::common::Error;

namespace {

// Labels of data/nb201.h: 1 conv1x1, 2 conv3x3, 3 avg pool, 4 skip, 5 none.
Tensor cell(GraphBuilder& b, const Tensor& x, const std::vector<int>& ops) {
    std::vector<Tensor> nodes{x};
    size_t e = 1;
    for (int j = 1; j <= 3; ++j) {
        std::vector<Tensor> terms;
        for (int i = 0; i < j; ++i, ++e) {
            const Tensor& in = nodes[static_cast<size_t>(i)];
            switch (ops[e]) {
                case 1:
                    terms.push_back(b.conv_bn(b.relu(in), {in.c(), 1, 1, 0}));
                    break;
                case 2:
                    terms.push_back(b.conv_bn(b.relu(in), {in.c(), 3, 1, 1}));
                    break;
                case 3:
                    terms.push_back(b.avg_pool(in, 3, 1, 1));
                    break;
                case 4:
                    terms.push_back(in);
                    break;
                default:
                    break;
            }
        }
        if (terms.empty()) {
            nodes.push_back(b.mul(x, b.scalar(0.f)));
            continue;
        }
        Tensor sum = terms[0];
        for (size_t t = 1; t < terms.size(); ++t) sum = b.add(sum, terms[t]);
        nodes.push_back(sum);
    }
    return nodes[3];
}

Tensor reduction(GraphBuilder& b, const Tensor& x, int64_t out) {
    Tensor y = b.conv_bn(b.relu(x), {out, 3, 2, 1});
    y = b.conv_bn(b.relu(y), {out, 3, 1, 1});
    const Tensor shortcut = b.conv(b.avg_pool(x, 2, 2, 0), {out, 1, 1, 0});
    return b.add(shortcut, y);
}

const char* kOps[] = {"nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3", "skip_connect", "none"};

}  // namespace

onnx::ModelProto nasbench201_network(const std::string& arch, const NetOptions& o) {
    const std::vector<int> ops = nb201_ops_from_string(arch);
    GraphBuilder b("nasbench201", o.fold_bn);
    Tensor x = b.input(o.batch, 3, 32, 32);
    x = b.conv_bn(x, {16, 3, 1, 1});
    const int64_t widths[] = {16, 32, 64};
    for (int st = 0; st < 3; ++st) {
        if (st > 0) x = reduction(b, x, widths[st]);
        for (int i = 0; i < 5; ++i) x = cell(b, x, ops);
    }
    x = b.relu(b.batch_norm(x));
    x = b.flatten(b.global_avg_pool(x));
    return b.finish(b.gemm(x, 10));
}

onnx::ModelProto build_nasbench201(const std::string&, Draw& d, const NetOptions& o) {
    // Model 0: the best CIFAR-10 cell of the benchmark; others uniform over 5^6 cells.
    std::string arch =
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_"
        "3x3~2|";
    if (d.sampling()) {
        arch.clear();
        for (int j = 1; j <= 3; ++j) {
            arch += j == 1 ? "|" : "+|";
            for (int i = 0; i < j; ++i)
                arch += std::string(kOps[d.variant(5)]) + "~" + std::to_string(i) + "|";
        }
    }
    return nasbench201_network(arch, o);
}

}  // namespace nar::data::zoo
