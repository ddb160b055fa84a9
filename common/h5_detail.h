#pragma once
// What H5File's datasets (h5.cpp) and attributes (h5_attr.cpp) share: an
// owning hid_t, string reading and the UTF-8 variable-length string type. Not
// for use outside them.
#include <hdf5.h>

#include <string>
#include <vector>

namespace nar::common::h5_detail {

// Closes its HDF5 id (when valid) with `closer` on scope exit.
struct Handle {
    hid_t id;
    herr_t (*closer)(hid_t);
    Handle(hid_t i, herr_t (*c)(hid_t)) : id(i), closer(c) {}
    ~Handle() {
        if (id >= 0) closer(id);
    }
    Handle(Handle&& o) noexcept : id(o.id), closer(o.closer) { o.id = -1; }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
};

// The strings of a dataset or (is_attr) attribute `obj`, fixed or variable
// length; errors name `what` and the file `path`.
std::vector<std::string> read_string_data(hid_t obj, bool is_attr, const std::string& what,
                                          const std::string& path);

// A new variable-length UTF-8 string type (the caller closes it).
hid_t vlen_string_type();

}  // namespace nar::common::h5_detail
