// H5File's attributes (the rest of H5File is in h5.cpp).
#include "common/error.h"
#include "common/h5.h"
#include "common/h5_detail.h"

namespace nar::common {

using h5_detail::Handle;
using h5_detail::read_string_data;
using h5_detail::vlen_string_type;

bool H5File::has_attr(const std::string& obj, const std::string& attr) const {
    return H5Aexists_by_name(id_, obj.c_str(), attr.c_str(), H5P_DEFAULT) > 0;
}

std::vector<std::string> H5File::attr_names(const std::string& obj) const {
    Handle o(H5Oopen(id_, obj.c_str(), H5P_DEFAULT), H5Oclose);
    if (o.id < 0) fail("no object '" + obj + "'");
    H5O_info_t info;
    H5Oget_info(o.id, &info);
    std::vector<std::string> out;
    for (hsize_t i = 0; i < info.num_attrs; ++i) {
        ssize_t len =
            H5Aget_name_by_idx(o.id, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
        std::string s(static_cast<size_t>(len), '\0');
        H5Aget_name_by_idx(o.id, ".", H5_INDEX_NAME, H5_ITER_INC, i, s.data(), len + 1,
                           H5P_DEFAULT);
        out.push_back(s);
    }
    return out;
}

namespace {

Handle open_attr(hid_t file, const std::string& path, const std::string& obj,
                 const std::string& attr) {
    Handle a(H5Aopen_by_name(file, obj.c_str(), attr.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    if (a.id < 0) throw Error(path + ": no attribute '" + attr + "' on '" + obj + "'");
    return a;
}

void read_attr(hid_t file, const std::string& path, const std::string& obj, const std::string& attr,
               hid_t type, void* out) {
    const Handle a = open_attr(file, path, obj, attr);
    if (H5Aread(a.id, type, out) < 0) throw Error(path + ": cannot read attribute '" + attr + "'");
}

}  // namespace

std::string H5File::read_attr_string(const std::string& obj, const std::string& attr) const {
    const Handle a = open_attr(id_, path_, obj, attr);
    auto v = read_string_data(a.id, true, attr, path_);
    if (v.size() != 1) fail("attribute '" + attr + "' is not a single string");
    return v[0];
}

double H5File::read_attr_f64(const std::string& obj, const std::string& attr) const {
    double v = 0;
    read_attr(id_, path_, obj, attr, H5T_NATIVE_DOUBLE, &v);
    return v;
}

int64_t H5File::read_attr_i64(const std::string& obj, const std::string& attr) const {
    int64_t v = 0;
    read_attr(id_, path_, obj, attr, H5T_NATIVE_INT64, &v);
    return v;
}

namespace {
void write_attr(hid_t file, const std::string& path, const std::string& obj,
                const std::string& attr, hid_t type, const void* data) {
    if (H5Aexists_by_name(file, obj.c_str(), attr.c_str(), H5P_DEFAULT) > 0) {
        H5Adelete_by_name(file, obj.c_str(), attr.c_str(), H5P_DEFAULT);
    }
    Handle sp(H5Screate(H5S_SCALAR), H5Sclose);
    Handle a(H5Acreate_by_name(file, obj.c_str(), attr.c_str(), type, sp.id, H5P_DEFAULT,
                               H5P_DEFAULT, H5P_DEFAULT),
             H5Aclose);
    if (a.id < 0) throw Error(path + ": cannot create attribute '" + attr + "' on '" + obj + "'");
    if (H5Awrite(a.id, type, data) < 0) {
        throw Error(path + ": cannot write attribute '" + attr + "'");
    }
}
}  // namespace

void H5File::write_attr_string(const std::string& obj, const std::string& attr,
                               const std::string& v) {
    Handle t(vlen_string_type(), H5Tclose);
    const char* p = v.c_str();
    write_attr(id_, path_, obj, attr, t.id, &p);
}

void H5File::write_attr_f64(const std::string& obj, const std::string& attr, double v) {
    write_attr(id_, path_, obj, attr, H5T_NATIVE_DOUBLE, &v);
}

void H5File::write_attr_i64(const std::string& obj, const std::string& attr, int64_t v) {
    write_attr(id_, path_, obj, attr, H5T_NATIVE_INT64, &v);
}

}  // namespace nar::common
