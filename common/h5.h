#pragma once
// Thin RAII wrapper over the HDF5 C API: typed reads and writes of whole
// datasets and attributes. Every failure throws common::Error naming the file
// and the object, so callers never see raw HDF5 error stacks.
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

namespace nar::common {

using Shape = std::vector<hsize_t>;

class H5File {
  public:
    enum class Mode { Read, ReadWrite, Truncate };
    H5File(const std::string& path, Mode mode);
    ~H5File();
    H5File(const H5File&) = delete;
    H5File& operator=(const H5File&) = delete;
    H5File(H5File&& other) noexcept;
    H5File& operator=(H5File&& other) noexcept;

    hid_t id() const { return id_; }
    const std::string& path() const { return path_; }
    void close();

    bool exists(const std::string& name) const;  // dataset or group, "a/b/c"
    std::vector<std::string> children(const std::string& group) const;
    void create_group(const std::string& name);  // creates parents too

    Shape shape(const std::string& name) const;
    std::vector<float> read_f32(const std::string& name, Shape* shape = nullptr) const;
    std::vector<double> read_f64(const std::string& name, Shape* shape = nullptr) const;
    std::vector<int64_t> read_i64(const std::string& name, Shape* shape = nullptr) const;
    std::vector<std::string> read_strings(const std::string& name) const;
    std::string read_string(const std::string& name) const;  // scalar or 1-element
    double read_scalar_f64(const std::string& name) const;

    // Writes replace an existing dataset of the same name.
    void write_f32(const std::string& name, const std::vector<float>& v, const Shape& shape);
    void write_f64(const std::string& name, const std::vector<double>& v, const Shape& shape);
    void write_i64(const std::string& name, const std::vector<int64_t>& v, const Shape& shape);
    void write_strings(const std::string& name, const std::vector<std::string>& v);
    void write_string(const std::string& name, const std::string& v);  // scalar
    void write_scalar_f64(const std::string& name, double v);
    // Opaque bytes (e.g. a serialised optimiser state) as a 1-D uint8 dataset.
    void write_bytes(const std::string& name, const std::string& bytes);
    std::string read_bytes(const std::string& name) const;

    // Attributes on an object ("/" for the file root).
    bool has_attr(const std::string& obj, const std::string& attr) const;
    std::vector<std::string> attr_names(const std::string& obj) const;
    std::string read_attr_string(const std::string& obj, const std::string& attr) const;
    double read_attr_f64(const std::string& obj, const std::string& attr) const;
    int64_t read_attr_i64(const std::string& obj, const std::string& attr) const;
    void write_attr_string(const std::string& obj, const std::string& attr, const std::string& v);
    void write_attr_f64(const std::string& obj, const std::string& attr, double v);
    void write_attr_i64(const std::string& obj, const std::string& attr, int64_t v);

    void flush();

  private:
    [[noreturn]] void fail(const std::string& what) const;
    void read_numeric(const std::string& name, hid_t mem_type, void* out, size_t expect) const;
    void write_numeric(const std::string& name, hid_t mem_type, const void* data,
                       const Shape& shape);
    void remove_if_exists(const std::string& name);
    void ensure_parent(const std::string& name);

    std::string path_;
    hid_t id_ = -1;
};

// Number of elements of a shape (1 for a scalar).
size_t numel(const Shape& s);

}  // namespace nar::common
