// NPY / NPZ input and output, readable by numpy.load.
//
// NPY v1.0: magic "\x93NUMPY", version 1.0, uint16 little-endian header length, then a Python dict
// literal {'descr': '<f8', 'fortran_order': False, 'shape': (a, b), } padded with spaces and a final
// '\n' so that the data starts on a 64-byte boundary, then the raw little-endian C-order data.
// NPZ: an uncompressed (stored) zip archive of NAME.npy members, as np.savez writes it.
#pragma once

#include "core/atomic_file.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace tdlab {

// A typed n-dimensional array as raw bytes. dtype is a numpy descr: "<f8", "<f4", "<i8", "<i4", "|u1", "|b1".
struct NpyArray {
    std::string dtype;
    std::vector<size_t> shape;
    std::vector<unsigned char> bytes;

    size_t size() const; // number of elements (product of shape)
    size_t item_size() const;
    // Element access as double (converts from any supported numeric dtype).
    std::vector<double> to_double() const;
    std::vector<int64_t> to_int64() const;
};

template <typename T> NpyArray make_npy(const T *data, std::vector<size_t> shape);
template <typename T, typename A> NpyArray make_npy(const std::vector<T, A> &data, std::vector<size_t> shape) {
    return make_npy(data.data(), std::move(shape));
}

// Serialises to the NPY byte format: npy_header(array) followed by array.bytes.
std::string npy_bytes(const NpyArray &array);
std::string npy_header(const NpyArray &array); // magic, version, header length and the padded dict
// Parses NPY bytes; `what` names the source in error messages. Throws UsageError on malformed input:
// a bad header, an unsupported dtype (named), a negative or overflowing shape, truncated data.
NpyArray parse_npy(const std::string &bytes, const std::string &what);

// File helpers. Writes are atomic (temp + rename).
void write_npy(const std::filesystem::path &path, const NpyArray &array);
template <typename T, typename A>
void write_npy(const std::filesystem::path &path, const std::vector<T, A> &data, std::vector<size_t> shape) {
    write_npy(path, make_npy(data, std::move(shape)));
}
NpyArray read_npy(const std::filesystem::path &path);

using NpzMap = std::map<std::string, NpyArray>;
// Refuses (RuntimeError, before writing) an archive that would not fit a plain zip (4 GiB). Written with
// write_file_atomic (core/atomic_file.h): durable unless the caller passes Durability::Cache.
void write_npz(const std::filesystem::path &path, const NpzMap &arrays, Durability durability = Durability::Durable);
// Parses NPZ bytes: every size and offset is range-checked and every member's CRC-32 verified;
// UsageError naming `what` and the member/array otherwise.
NpzMap parse_npz(const std::string &bytes, const std::string &what);
NpzMap read_npz(const std::filesystem::path &path);

} // namespace tdlab
