#include "jobs/paper_numbers.h"

#include <cctype>
#include <cstdlib>
#include <map>
#include <tuple>

namespace nar::jobs {

namespace {

using Key = std::tuple<int, std::string, std::string>;

const std::map<Key, PaperValue>& table() {
    static const std::map<Key, PaperValue> t = [] {
        std::map<Key, PaperValue> m;
        auto put = [&](int tab, const std::string& row, const std::string& metric,
                       std::optional<double> avg, std::optional<double> best) {
            m[{tab, row, metric}] = PaperValue{avg, best};
        };
        // Table 1: all families, then per-family MAPE (avg only).
        put(1, "all", "mape", 3.07, 3.00);
        put(1, "all", "acc10", 96.41, 96.30);
        const std::map<std::string, double> t1 = {{"alexnet", 6.18},     {"efficientnet", 2.34},
                                                  {"googlenet", 3.63},   {"mnasnet", 1.80},
                                                  {"mobilenetv2", 1.83}, {"mobilenetv3", 3.12},
                                                  {"nasbench201", 1.82}, {"squeezenet", 3.54},
                                                  {"vgg", 3.51},         {"resnet", 3.11}};
        for (const auto& [f, v] : t1) put(1, f, "mape", v, std::nullopt);
        // Table 2: MAPE avg/best, Acc(10%) avg/best per held-out family.
        struct Row {
            const char* f;
            double ma, mb, aa, ab;
        };
        const Row t2[] = {
            {"alexnet", 24.28, 18.29, 24.65, 28.60},   {"efficientnet", 13.20, 11.37, 44.01, 50.20},
            {"googlenet", 6.61, 6.15, 80.10, 83.35},   {"mnasnet", 7.16, 5.93, 73.46, 81.60},
            {"mobilenetv2", 6.73, 5.65, 78.45, 83.80}, {"mobilenetv3", 9.06, 8.72, 68.43, 70.50},
            {"nasbench201", 9.21, 7.89, 63.13, 71.70}, {"resnet", 6.80, 6.44, 77.24, 79.70},
            {"squeezenet", 7.08, 6.56, 75.01, 79.25},  {"vgg", 15.40, 14.26, 45.21, 45.30},
            {"average", 10.55, 9.13, 62.70, 67.40}};
        for (const auto& r : t2) {
            put(2, r.f, "mape", r.ma, r.mb);
            put(2, r.f, "acc10", r.aa, r.ab);
        }
        // Tables 3 and 4: τ on the whole space.
        put(3, "0.001", "kendall_tau", 0.773, std::nullopt);
        put(3, "0.01", "kendall_tau", 0.861, std::nullopt);
        put(4, "0.1", "kendall_tau", 0.888, std::nullopt);
        // Table 5: MAPE / Acc(10%) / Acc(5%) per ablation row.
        const double t5[6][3] = {{3.48, 95.26, 77.80}, {3.43, 95.11, 79.58}, {3.33, 95.57, 80.19},
                                 {3.20, 96.00, 81.86}, {3.20, 96.06, 81.76}, {3.07, 96.41, 82.71}};
        for (int i = 0; i < 6; ++i) {
            std::string row = "row" + std::to_string(i + 1);
            put(5, row, "mape", t5[i][0], std::nullopt);
            put(5, row, "acc10", t5[i][1], std::nullopt);
            put(5, row, "acc5", t5[i][2], std::nullopt);
        }
        // Table 6: EfficientNet held out.
        put(6, "global", "mape", 16.88, std::nullopt);
        put(6, "global", "acc10", 36.32, std::nullopt);
        put(6, "local", "mape", 13.20, std::nullopt);
        put(6, "local", "acc10", 44.01, std::nullopt);
        return m;
    }();
    return t;
}

// "0.10" and "0.1" name the same fraction.
std::string canonical_row(int tab, const std::string& row) {
    if (tab == 3 || tab == 4) {
        char* end = nullptr;
        double v = std::strtod(row.c_str(), &end);
        if (end && *end == '\0' && end != row.c_str()) {
            if (v == 0.001 || v == 424) return "0.001";
            if (v == 0.01 || v == 4236) return "0.01";
            if (v == 0.1 || v == 1563) return "0.1";
            if (v == 0.05 || v == 781) return "0.05";
        }
        return row;
    }
    return canonical_family(row);
}

}  // namespace

std::string canonical_family(const std::string& family) {
    std::string f;
    for (char c : family) f += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (f == "efficientb0" || f == "efficientnetb0" || f == "efficientnet_b0") {
        return "efficientnet";
    }
    if (f == "resnet18") return "resnet";
    if (f == "vgg16") return "vgg";
    return f;
}

std::string family_display_name(const std::string& family) {
    static const std::map<std::string, std::string> names = {{"alexnet", "AlexNet"},
                                                             {"efficientnet", "EfficientNet"},
                                                             {"googlenet", "GoogleNet"},
                                                             {"mnasnet", "MnasNet"},
                                                             {"mobilenetv2", "MobileNetV2"},
                                                             {"mobilenetv3", "MobileNetV3"},
                                                             {"nasbench201", "NasBench201"},
                                                             {"squeezenet", "SqueezeNet"},
                                                             {"vgg", "VGG"},
                                                             {"resnet", "ResNet"}};
    auto it = names.find(canonical_family(family));
    return it == names.end() ? family : it->second;
}

PaperValue paper_number(int tab, const std::string& row, const std::string& metric) {
    auto it = table().find({tab, canonical_row(tab, row), metric});
    return it == table().end() ? PaperValue{} : it->second;
}

}  // namespace nar::jobs
