#include "hostile_gen.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace nar::hostile {

std::string golden_onnx(const std::string& name) {
    return std::string(NAR_FIXTURES) + "/golden/onnx/" + name;
}

std::string bundled(const std::string& rel) { return std::string(NAR_BUNDLED) + "/" + rel; }

onnx::ModelProto read_onnx(const std::string& path) {
    onnx::ModelProto m;
    std::ifstream in(path, std::ios::binary);
    if (!m.ParseFromIstream(&in)) throw std::runtime_error("cannot parse " + path);
    return m;
}

void write_onnx(const onnx::ModelProto& m, const std::string& path) {
    std::ofstream out(path, std::ios::binary);
    if (!m.SerializeToOstream(&out)) throw std::runtime_error("cannot write " + path);
}

onnx::NodeProto& node_of_type(onnx::ModelProto& m, const std::string& op, int nth) {
    for (auto& n : *m.mutable_graph()->mutable_node())
        if (n.op_type() == op && nth-- == 0) return n;
    throw std::runtime_error("no node of type " + op);
}

namespace {
onnx::AttributeProto& attr_slot(onnx::NodeProto& n, const std::string& name) {
    for (auto& a : *n.mutable_attribute())
        if (a.name() == name) return a;
    auto* a = n.add_attribute();
    a->set_name(name);
    return *a;
}
}  // namespace

void set_ints(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v) {
    auto& a = attr_slot(n, name);
    a.set_type(onnx::AttributeProto::INTS);
    a.clear_ints();
    for (int64_t x : v) a.add_ints(x);
}

void set_int(onnx::NodeProto& n, const std::string& name, int64_t v) {
    auto& a = attr_slot(n, name);
    a.set_type(onnx::AttributeProto::INT);
    a.set_i(v);
}

void set_input_dim(onnx::ModelProto& m, int dim, int64_t value) {
    auto* shape =
        m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape();
    shape->mutable_dim(dim)->set_dim_value(value);
}

onnx::ModelProto relu_chain(int nodes) {
    onnx::ModelProto m;
    m.set_ir_version(7);
    m.add_opset_import()->set_version(11);
    auto* g = m.mutable_graph();
    g->set_name("chain");
    auto value = [](onnx::ValueInfoProto* v, const std::string& name) {
        v->set_name(name);
        auto* t = v->mutable_type()->mutable_tensor_type();
        t->set_elem_type(onnx::TensorProto::FLOAT);
        for (int64_t d : {1, 8, 4, 4}) t->mutable_shape()->add_dim()->set_dim_value(d);
    };
    value(g->add_input(), "t0");
    for (int i = 0; i < nodes; ++i) {
        auto* n = g->add_node();
        n->set_op_type("Relu");
        n->set_name("relu" + std::to_string(i));
        n->add_input("t" + std::to_string(i));
        n->add_output("t" + std::to_string(i + 1));
    }
    value(g->add_output(), "t" + std::to_string(nodes));
    return m;
}

void write_text(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void copy_file(const std::string& from, const std::string& to) {
    std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
}

void flip_byte(const std::string& path, int64_t offset) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(offset);
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0xFF);
    f.seekp(offset);
    f.write(&c, 1);
}

void truncate_file(const std::string& path, int64_t size) {
    std::filesystem::resize_file(path, static_cast<uintmax_t>(size));
}

int64_t file_size(const std::string& path) {
    return static_cast<int64_t>(std::filesystem::file_size(path));
}

int64_t find_bytes(const std::string& path, const std::string& bytes) {
    const std::string s = read_text(path);
    const size_t p = s.find(bytes);
    return p == std::string::npos ? -1 : static_cast<int64_t>(p);
}

int64_t corrupt_csv(const std::string& from, const std::string& to, const std::string& column,
                    size_t row, const std::string& value) {
    std::istringstream in(read_text(from));
    std::ostringstream out;
    std::string line;
    int64_t lineno = 0, hit = -1;
    size_t col = std::string::npos, data_row = 0;
    while (std::getline(in, line)) {
        ++lineno;
        std::vector<std::string> f;
        std::stringstream ls(line);
        for (std::string x; std::getline(ls, x, ',');) f.push_back(x);
        if (col == std::string::npos) {
            for (size_t i = 0; i < f.size(); ++i)
                if (f[i] == column) col = i;
            if (col == std::string::npos) throw std::runtime_error(from + ": no column " + column);
        } else if (data_row++ == row) {
            f.at(col) = value;
            hit = lineno;
        }
        for (size_t i = 0; i < f.size(); ++i) out << (i ? "," : "") << f[i];
        out << "\n";
    }
    write_text(to, out.str());
    return hit;
}

}  // namespace nar::hostile
