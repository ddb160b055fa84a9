#include "common/h5.h"

#include <algorithm>
#include <cstring>
#include <mutex>

#include "common/error.h"
#include "common/h5_detail.h"

namespace nar::common {

using h5_detail::Handle;
using h5_detail::read_string_data;
using h5_detail::vlen_string_type;

namespace {

// HDF5 prints its own error stack by default; we report errors ourselves.
void silence_hdf5() {
    static std::once_flag once;
    std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

// "a/b/c" -> {"a", "a/b", "a/b/c"}; empty parts are skipped.
std::vector<std::string> path_prefixes(const std::string& name) {
    std::vector<std::string> out;
    std::string prefix;
    size_t pos = 0;
    while (pos < name.size()) {
        size_t next = name.find('/', pos);
        if (next == std::string::npos) next = name.size();
        if (next > pos) {
            prefix += (prefix.empty() ? "" : "/") + name.substr(pos, next - pos);
            out.push_back(prefix);
        }
        pos = next + 1;
    }
    return out;
}

// Creation properties of every dataset we write. Non-empty arrays are chunked
// with the Fletcher-32 filter, which HDF5 verifies on every read, so a flipped
// byte is a read error instead of a wrong number. Scalars are compact: their
// value sits in the object header, which the v2 header format checksums too.
// Empty arrays have no data to protect, and HDF5 1.10 allows no filter on
// variable-length strings (their bytes live in the unchecksummed global heap):
// both stay contiguous.
Handle dataset_plist(const Shape& shape, hid_t type) {
    Handle p(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    if (shape.empty()) {
        H5Pset_layout(p.id, H5D_COMPACT);
    } else if (numel(shape) > 0 && H5Tis_variable_str(type) <= 0) {
        // Chunks of whole rows, about 1 MiB (HDF5 caps a chunk at 4 GiB).
        size_t row = H5Tget_size(type);
        for (size_t i = 1; i < shape.size(); ++i) row *= shape[i];
        std::vector<hsize_t> chunk(shape);
        chunk[0] = std::max<hsize_t>(
            1, std::min<hsize_t>(shape[0], (1u << 20) / std::max<size_t>(row, 1)));
        H5Pset_chunk(p.id, static_cast<int>(chunk.size()), chunk.data());
        H5Pset_fletcher32(p.id);
    }
    return p;
}

// New files use the HDF5 1.10 format: checksummed superblock, object headers
// (attributes, compact scalars) and chunk indexes.
Handle file_access_plist() {
    Handle p(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    H5Pset_libver_bounds(p.id, H5F_LIBVER_V110, H5F_LIBVER_LATEST);
    return p;
}

}  // namespace

size_t numel(const Shape& s) {
    size_t n = 1;
    for (auto d : s) n *= d;
    return n;
}

H5File::H5File(const std::string& path, Mode mode) : path_(path) {
    silence_hdf5();
    switch (mode) {
        case Mode::Read:
            id_ = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
            break;
        case Mode::ReadWrite:
            id_ = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
            break;
        case Mode::Truncate:
            id_ = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, file_access_plist().id);
            break;
    }
    if (id_ < 0) {
        throw Error(path + ": cannot " + std::string(mode == Mode::Truncate ? "create" : "open") +
                    " HDF5 file (missing, unreadable or not HDF5)");
    }
}

H5File::~H5File() { close(); }

H5File::H5File(H5File&& o) noexcept : path_(std::move(o.path_)), id_(o.id_) { o.id_ = -1; }

H5File& H5File::operator=(H5File&& o) noexcept {
    if (this != &o) {
        close();
        path_ = std::move(o.path_);
        id_ = o.id_;
        o.id_ = -1;
    }
    return *this;
}

void H5File::close() {
    if (id_ >= 0) {
        H5Fclose(id_);
        id_ = -1;
    }
}

void H5File::fail(const std::string& what) const { throw Error(path_ + ": " + what); }

bool H5File::exists(const std::string& name) const {
    // H5Lexists needs every parent to exist, so walk the path.
    for (const auto& prefix : path_prefixes(name)) {
        if (H5Lexists(id_, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    }
    return true;
}

std::vector<std::string> H5File::children(const std::string& group) const {
    Handle g(H5Gopen2(id_, group.c_str(), H5P_DEFAULT), H5Gclose);
    if (g.id < 0) fail("no group '" + group + "'");
    H5G_info_t info;
    H5Gget_info(g.id, &info);
    std::vector<std::string> out;
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        ssize_t len = H5Lget_name_by_idx(g.id, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, i, nullptr, 0,
                                         H5P_DEFAULT);
        if (len < 0) {
            len = H5Lget_name_by_idx(g.id, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0,
                                     H5P_DEFAULT);
        }
        std::string s(static_cast<size_t>(len), '\0');
        if (H5Lget_name_by_idx(g.id, ".", H5_INDEX_NAME, H5_ITER_INC, i, s.data(), len + 1,
                               H5P_DEFAULT) < 0) {
            fail("cannot list group '" + group + "'");
        }
        out.push_back(s);
    }
    return out;
}

void H5File::create_group(const std::string& name) {
    for (const auto& prefix : path_prefixes(name)) {
        if (H5Lexists(id_, prefix.c_str(), H5P_DEFAULT) > 0) continue;
        Handle g(H5Gcreate2(id_, prefix.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
        if (g.id < 0) fail("cannot create group '" + prefix + "'");
    }
}

void H5File::ensure_parent(const std::string& name) {
    auto slash = name.rfind('/');
    if (slash != std::string::npos && slash > 0) create_group(name.substr(0, slash));
}

Shape H5File::shape(const std::string& name) const {
    Handle d(H5Dopen2(id_, name.c_str(), H5P_DEFAULT), H5Dclose);
    if (d.id < 0) fail("no dataset '" + name + "'");
    Handle sp(H5Dget_space(d.id), H5Sclose);
    int nd = H5Sget_simple_extent_ndims(sp.id);
    Shape s(static_cast<size_t>(nd));
    if (nd > 0) H5Sget_simple_extent_dims(sp.id, s.data(), nullptr);
    return s;
}

void H5File::read_numeric(const std::string& name, hid_t mem_type, void* out, size_t expect) const {
    Handle d(H5Dopen2(id_, name.c_str(), H5P_DEFAULT), H5Dclose);
    if (d.id < 0) fail("no dataset '" + name + "'");
    Handle t(H5Dget_type(d.id), H5Tclose);
    H5T_class_t cls = H5Tget_class(t.id);
    if (cls != H5T_FLOAT && cls != H5T_INTEGER) fail("dataset '" + name + "' is not numeric");
    Handle sp(H5Dget_space(d.id), H5Sclose);
    hssize_t n = H5Sget_simple_extent_npoints(sp.id);
    if (static_cast<size_t>(n) != expect) fail("dataset '" + name + "' changed size");
    if (expect == 0) return;
    if (H5Dread(d.id, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0) {
        fail("cannot read dataset '" + name + "': corrupt data (checksum mismatch) or unreadable");
    }
}

std::vector<float> H5File::read_f32(const std::string& name, Shape* shape_out) const {
    Shape s = shape(name);
    std::vector<float> v(numel(s));
    read_numeric(name, H5T_NATIVE_FLOAT, v.data(), v.size());
    if (shape_out) *shape_out = s;
    return v;
}

std::vector<double> H5File::read_f64(const std::string& name, Shape* shape_out) const {
    Shape s = shape(name);
    std::vector<double> v(numel(s));
    read_numeric(name, H5T_NATIVE_DOUBLE, v.data(), v.size());
    if (shape_out) *shape_out = s;
    return v;
}

std::vector<int64_t> H5File::read_i64(const std::string& name, Shape* shape_out) const {
    Shape s = shape(name);
    std::vector<int64_t> v(numel(s));
    read_numeric(name, H5T_NATIVE_INT64, v.data(), v.size());
    if (shape_out) *shape_out = s;
    return v;
}

namespace h5_detail {

std::vector<std::string> read_string_data(hid_t obj, bool is_attr, const std::string& what,
                                          const std::string& path) {
    Handle t(is_attr ? H5Aget_type(obj) : H5Dget_type(obj), H5Tclose);
    if (H5Tget_class(t.id) != H5T_STRING) throw Error(path + ": '" + what + "' is not a string");
    Handle sp(is_attr ? H5Aget_space(obj) : H5Dget_space(obj), H5Sclose);
    hssize_t n = H5Sget_simple_extent_npoints(sp.id);
    std::vector<std::string> out;
    if (H5Tis_variable_str(t.id) > 0) {
        std::vector<char*> ptrs(static_cast<size_t>(n), nullptr);
        Handle mt(H5Tcopy(H5T_C_S1), H5Tclose);
        H5Tset_size(mt.id, H5T_VARIABLE);
        H5Tset_cset(mt.id, H5Tget_cset(t.id));
        herr_t rc = is_attr ? H5Aread(obj, mt.id, ptrs.data())
                            : H5Dread(obj, mt.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data());
        if (rc < 0) throw Error(path + ": cannot read strings '" + what + "'");
        for (auto* p : ptrs) out.emplace_back(p ? p : "");
        H5Dvlen_reclaim(mt.id, sp.id, H5P_DEFAULT, ptrs.data());
    } else {
        size_t sz = H5Tget_size(t.id);
        std::vector<char> buf(sz * static_cast<size_t>(n) + 1, '\0');
        Handle mt(H5Tcopy(H5T_C_S1), H5Tclose);
        H5Tset_size(mt.id, sz);
        herr_t rc = is_attr ? H5Aread(obj, mt.id, buf.data())
                            : H5Dread(obj, mt.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data());
        if (rc < 0) throw Error(path + ": cannot read strings '" + what + "'");
        for (hssize_t i = 0; i < n; ++i) {
            const char* p = buf.data() + static_cast<size_t>(i) * sz;
            out.emplace_back(p, strnlen(p, sz));
        }
    }
    return out;
}

hid_t vlen_string_type() {
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

}  // namespace h5_detail

std::vector<std::string> H5File::read_strings(const std::string& name) const {
    Handle d(H5Dopen2(id_, name.c_str(), H5P_DEFAULT), H5Dclose);
    if (d.id < 0) fail("no dataset '" + name + "'");
    return read_string_data(d.id, false, name, path_);
}

std::string H5File::read_string(const std::string& name) const {
    auto v = read_strings(name);
    if (v.size() != 1) fail("dataset '" + name + "' is not a single string");
    return v[0];
}

double H5File::read_scalar_f64(const std::string& name) const {
    auto v = read_f64(name);
    if (v.size() != 1) fail("dataset '" + name + "' is not a scalar");
    return v[0];
}

void H5File::remove_if_exists(const std::string& name) {
    if (exists(name)) H5Ldelete(id_, name.c_str(), H5P_DEFAULT);
}

void H5File::write_numeric(const std::string& name, hid_t mem_type, const void* data,
                           const Shape& shape) {
    remove_if_exists(name);
    ensure_parent(name);
    Handle sp(shape.empty()
                  ? H5Screate(H5S_SCALAR)
                  : H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr),
              H5Sclose);
    Handle d(H5Dcreate2(id_, name.c_str(), mem_type, sp.id, H5P_DEFAULT,
                        dataset_plist(shape, mem_type).id, H5P_DEFAULT),
             H5Dclose);
    if (d.id < 0) fail("cannot create dataset '" + name + "'");
    if (numel(shape) > 0 && H5Dwrite(d.id, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
        fail("cannot write dataset '" + name + "'");
    }
}

void H5File::write_f32(const std::string& name, const std::vector<float>& v, const Shape& s) {
    if (numel(s) != v.size()) fail("shape does not match data for '" + name + "'");
    write_numeric(name, H5T_NATIVE_FLOAT, v.data(), s);
}

void H5File::write_f64(const std::string& name, const std::vector<double>& v, const Shape& s) {
    if (numel(s) != v.size()) fail("shape does not match data for '" + name + "'");
    write_numeric(name, H5T_NATIVE_DOUBLE, v.data(), s);
}

void H5File::write_i64(const std::string& name, const std::vector<int64_t>& v, const Shape& s) {
    if (numel(s) != v.size()) fail("shape does not match data for '" + name + "'");
    write_numeric(name, H5T_NATIVE_INT64, v.data(), s);
}

void H5File::write_strings(const std::string& name, const std::vector<std::string>& v) {
    remove_if_exists(name);
    ensure_parent(name);
    hsize_t n = v.size();
    Handle sp(H5Screate_simple(1, &n, nullptr), H5Sclose);
    Handle t(vlen_string_type(), H5Tclose);
    Handle d(H5Dcreate2(id_, name.c_str(), t.id, sp.id, H5P_DEFAULT, dataset_plist({n}, t.id).id,
                        H5P_DEFAULT),
             H5Dclose);
    if (d.id < 0) fail("cannot create dataset '" + name + "'");
    std::vector<const char*> ptrs;
    for (auto& s : v) ptrs.push_back(s.c_str());
    if (n > 0 && H5Dwrite(d.id, t.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0) {
        fail("cannot write dataset '" + name + "'");
    }
}

void H5File::write_string(const std::string& name, const std::string& v) {
    remove_if_exists(name);
    ensure_parent(name);
    Handle sp(H5Screate(H5S_SCALAR), H5Sclose);
    Handle t(vlen_string_type(), H5Tclose);
    Handle d(H5Dcreate2(id_, name.c_str(), t.id, sp.id, H5P_DEFAULT, dataset_plist({}, t.id).id,
                        H5P_DEFAULT),
             H5Dclose);
    if (d.id < 0) fail("cannot create dataset '" + name + "'");
    const char* p = v.c_str();
    if (H5Dwrite(d.id, t.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, &p) < 0) {
        fail("cannot write dataset '" + name + "'");
    }
}

void H5File::write_bytes(const std::string& name, const std::string& bytes) {
    write_numeric(name, H5T_NATIVE_UINT8, bytes.data(), {static_cast<hsize_t>(bytes.size())});
}

std::string H5File::read_bytes(const std::string& name) const {
    Shape s = shape(name);
    std::string out(numel(s), '\0');
    read_numeric(name, H5T_NATIVE_UINT8, out.data(), out.size());
    return out;
}

void H5File::write_scalar_f64(const std::string& name, double v) {
    write_numeric(name, H5T_NATIVE_DOUBLE, &v, {});
}

void H5File::flush() { H5Fflush(id_, H5F_SCOPE_GLOBAL); }

}  // namespace nar::common
