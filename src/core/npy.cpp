#include "core/npy.h"

#include "core/atomic_file.h"
#include "core/error.h"

#include <array>
#include <cstring>
#include <regex>

namespace tdlab {

namespace {

static_assert(std::endian::native == std::endian::little, "tdlab writes little-endian NPY files");

template <typename T> constexpr const char *descr_of();
template <> constexpr const char *descr_of<double>() {
    return "<f8";
}
template <> constexpr const char *descr_of<float>() {
    return "<f4";
}
template <> constexpr const char *descr_of<int64_t>() {
    return "<i8";
}
template <> constexpr const char *descr_of<int32_t>() {
    return "<i4";
}
template <> constexpr const char *descr_of<uint8_t>() {
    return "|u1";
}

size_t descr_size(const std::string &d, const std::string &what) {
    if (d == "<f8" || d == "<i8" || d == "<u8") return 8;
    if (d == "<f4" || d == "<i4" || d == "<u4") return 4;
    if (d == "<i2" || d == "<u2") return 2;
    if (d == "|u1" || d == "|i1" || d == "|b1") return 1;
    throw UsageError(what + ": unsupported NPY dtype '" + d + "'");
}

void put_u16(std::string &s, uint16_t v) {
    s.push_back(char(v & 0xff));
    s.push_back(char(v >> 8));
}
void put_u32(std::string &s, uint32_t v) {
    for (int k = 0; k < 4; ++k) s.push_back(char((v >> (8 * k)) & 0xff));
}
uint32_t get_u32(const std::string &s, size_t at) {
    uint32_t v = 0;
    for (int k = 3; k >= 0; --k) v = (v << 8) | uint8_t(s[at + k]);
    return v;
}
uint16_t get_u16(const std::string &s, size_t at) {
    return uint16_t(uint8_t(s[at]) | (uint8_t(s[at + 1]) << 8));
}

// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) as the zip format requires.
uint32_t crc32(const std::string &data) {
    static const std::array<uint32_t, 256> table = [] {
        std::array<uint32_t, 256> t{};
        for (uint32_t n = 0; n < 256; ++n) {
            uint32_t c = n;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }();
    uint32_t c = 0xFFFFFFFFu;
    for (unsigned char ch : data) c = table[(c ^ ch) & 0xff] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

template <typename Out> std::vector<Out> convert(const NpyArray &a) {
    std::vector<Out> out(a.size());
    const unsigned char *p = a.bytes.data();
    for (size_t k = 0; k < out.size(); ++k) {
        const unsigned char *e = p + k * a.item_size();
        auto load = [&](auto tag) {
            decltype(tag) v;
            std::memcpy(&v, e, sizeof v);
            return static_cast<Out>(v);
        };
        const std::string &d = a.dtype;
        if (d == "<f8")
            out[k] = load(double{});
        else if (d == "<f4")
            out[k] = load(float{});
        else if (d == "<i8")
            out[k] = load(int64_t{});
        else if (d == "<u8")
            out[k] = load(uint64_t{});
        else if (d == "<i4")
            out[k] = load(int32_t{});
        else if (d == "<u4")
            out[k] = load(uint32_t{});
        else if (d == "<i2")
            out[k] = load(int16_t{});
        else if (d == "<u2")
            out[k] = load(uint16_t{});
        else if (d == "|i1")
            out[k] = load(int8_t{});
        else
            out[k] = load(uint8_t{});
    }
    return out;
}

} // namespace

size_t NpyArray::size() const {
    size_t n = 1;
    for (size_t s : shape) n *= s;
    return n;
}
size_t NpyArray::item_size() const {
    return descr_size(dtype, "array");
}
std::vector<double> NpyArray::to_double() const {
    return convert<double>(*this);
}
std::vector<int64_t> NpyArray::to_int64() const {
    return convert<int64_t>(*this);
}

template <typename T> NpyArray make_npy(const T *data, std::vector<size_t> shape) {
    NpyArray a;
    a.dtype = descr_of<T>();
    a.shape = std::move(shape);
    a.bytes.resize(a.size() * sizeof(T));
    if (!a.bytes.empty()) std::memcpy(a.bytes.data(), data, a.bytes.size());
    return a;
}
template NpyArray make_npy<double>(const double *, std::vector<size_t>);
template NpyArray make_npy<float>(const float *, std::vector<size_t>);
template NpyArray make_npy<int64_t>(const int64_t *, std::vector<size_t>);
template NpyArray make_npy<int32_t>(const int32_t *, std::vector<size_t>);
template NpyArray make_npy<uint8_t>(const uint8_t *, std::vector<size_t>);

std::string npy_bytes(const NpyArray &a) {
    std::string shape = "(";
    for (size_t k = 0; k < a.shape.size(); ++k) {
        shape += std::to_string(a.shape[k]);
        if (a.shape.size() == 1 || k + 1 < a.shape.size()) shape += ",";
        if (k + 1 < a.shape.size()) shape += " ";
    }
    shape += ")";
    std::string header = "{'descr': '" + a.dtype + "', 'fortran_order': False, 'shape': " + shape + ", }";
    size_t total = 10 + header.size() + 1;
    size_t pad = (64 - total % 64) % 64;
    header.append(pad, ' ');
    header.push_back('\n');
    std::string out = "\x93NUMPY";
    out.push_back(char(1));
    out.push_back(char(0));
    put_u16(out, uint16_t(header.size()));
    out += header;
    out.append(reinterpret_cast<const char *>(a.bytes.data()), a.bytes.size());
    return out;
}

NpyArray parse_npy(const std::string &bytes, const std::string &what) {
    if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) {
        throw UsageError(what + ": not an NPY file (bad magic)");
    }
    int major = uint8_t(bytes[6]);
    size_t header_len, header_at;
    if (major == 1) {
        header_len = get_u16(bytes, 8);
        header_at = 10;
    } else if (major == 2 || major == 3) {
        if (bytes.size() < 12) throw UsageError(what + ": truncated NPY header");
        header_len = get_u32(bytes, 8);
        header_at = 12;
    } else {
        throw UsageError(what + ": unsupported NPY version " + std::to_string(major));
    }
    if (bytes.size() < header_at + header_len) throw UsageError(what + ": truncated NPY header");
    std::string header = bytes.substr(header_at, header_len);
    std::smatch m;
    NpyArray a;
    if (!std::regex_search(header, m, std::regex("'descr'\\s*:\\s*'([^']+)'"))) {
        throw UsageError(what + ": NPY header has no descr");
    }
    a.dtype = m[1];
    if (a.dtype == "<f8" || a.dtype == "<f4" || a.dtype == "<i8" || a.dtype == "<i4") {
    } else if (a.dtype == "|u1" || a.dtype == "|b1" || a.dtype == "|i1" || a.dtype == "<u4" || a.dtype == "<u8" ||
               a.dtype == "<i2" || a.dtype == "<u2") {
    } else {
        throw UsageError(what + ": unsupported NPY dtype '" + a.dtype + "' (big-endian or non-numeric)");
    }
    if (std::regex_search(header, m, std::regex("'fortran_order'\\s*:\\s*True"))) {
        throw UsageError(what + ": Fortran-ordered NPY arrays are not supported");
    }
    if (!std::regex_search(header, m, std::regex("'shape'\\s*:\\s*\\(([^)]*)\\)"))) {
        throw UsageError(what + ": NPY header has no shape");
    }
    std::string dims = m[1];
    std::regex num("[0-9]+");
    for (auto it = std::sregex_iterator(dims.begin(), dims.end(), num); it != std::sregex_iterator(); ++it) {
        a.shape.push_back(std::stoull(it->str()));
    }
    size_t data_at = header_at + header_len;
    size_t need = a.size() * descr_size(a.dtype, what);
    if (bytes.size() - data_at < need) {
        throw UsageError(what + ": truncated NPY data (" + std::to_string(bytes.size() - data_at) + " of " +
                         std::to_string(need) + " bytes)");
    }
    a.bytes.assign(bytes.begin() + long(data_at), bytes.begin() + long(data_at + need));
    return a;
}

void write_npy(const std::filesystem::path &path, const NpyArray &array) {
    write_file_atomic(path, npy_bytes(array));
}

NpyArray read_npy(const std::filesystem::path &path) {
    return parse_npy(read_file(path), path.string());
}

void write_npz(const std::filesystem::path &path, const NpzMap &arrays) {
    std::string out, central;
    uint16_t count = 0;
    for (const auto &[name, array] : arrays) {
        std::string member = name + ".npy";
        std::string data = npy_bytes(array);
        uint32_t crc = crc32(data);
        uint32_t offset = uint32_t(out.size());
        // Local file header: stored (method 0), no data descriptor.
        put_u32(out, 0x04034b50);
        put_u16(out, 20);
        put_u16(out, 0);
        put_u16(out, 0);
        put_u16(out, 0);
        put_u16(out, 0x21); // DOS time and date (1980-01-01): fixed, so equal arrays give equal bytes
        put_u32(out, crc);
        put_u32(out, uint32_t(data.size()));
        put_u32(out, uint32_t(data.size()));
        put_u16(out, uint16_t(member.size()));
        put_u16(out, 0);
        out += member;
        out += data;
        put_u32(central, 0x02014b50);
        put_u16(central, 20);
        put_u16(central, 20);
        put_u16(central, 0);
        put_u16(central, 0);
        put_u16(central, 0);
        put_u16(central, 0x21);
        put_u32(central, crc);
        put_u32(central, uint32_t(data.size()));
        put_u32(central, uint32_t(data.size()));
        put_u16(central, uint16_t(member.size()));
        put_u16(central, 0);
        put_u16(central, 0);
        put_u16(central, 0);
        put_u16(central, 0);
        put_u32(central, 0);
        put_u32(central, offset);
        central += member;
        ++count;
    }
    uint32_t central_at = uint32_t(out.size());
    out += central;
    put_u32(out, 0x06054b50);
    put_u16(out, 0);
    put_u16(out, 0);
    put_u16(out, count);
    put_u16(out, count);
    put_u32(out, uint32_t(central.size()));
    put_u32(out, central_at);
    put_u16(out, 0);
    write_file_atomic(path, out);
}

NpzMap read_npz(const std::filesystem::path &path) {
    std::string bytes = read_file(path);
    std::string what = path.string();
    // Find the end-of-central-directory record (no archive comment expected, but scan back anyway).
    if (bytes.size() < 22) throw UsageError(what + ": not an NPZ (zip) file or truncated");
    size_t eocd = std::string::npos;
    for (size_t k = bytes.size() - 22 + 1; k-- > 0 && bytes.size() - k < 22 + 65536;) {
        if (get_u32(bytes, k) == 0x06054b50) {
            eocd = k;
            break;
        }
    }
    if (eocd == std::string::npos) throw UsageError(what + ": not an NPZ (zip) file or truncated");
    uint16_t count = get_u16(bytes, eocd + 10);
    size_t at = get_u32(bytes, eocd + 16);
    NpzMap out;
    for (uint16_t k = 0; k < count; ++k) {
        if (at + 46 > bytes.size() || get_u32(bytes, at) != 0x02014b50) {
            throw UsageError(what + ": corrupt zip central directory");
        }
        uint16_t method = get_u16(bytes, at + 10);
        uint32_t csize = get_u32(bytes, at + 20);
        uint16_t name_len = get_u16(bytes, at + 28), extra_len = get_u16(bytes, at + 30),
                 comment_len = get_u16(bytes, at + 32);
        uint32_t local = get_u32(bytes, at + 42);
        std::string name = bytes.substr(at + 46, name_len);
        if (method != 0) {
            throw UsageError(what + ": member '" + name +
                             "' is compressed; tdlab reads stored NPZ files (np.savez, not np.savez_compressed)");
        }
        if (local + 30 > bytes.size()) throw UsageError(what + ": truncated zip member '" + name + "'");
        size_t data_at = local + 30 + get_u16(bytes, local + 26) + get_u16(bytes, local + 28);
        if (data_at + csize > bytes.size()) throw UsageError(what + ": truncated zip member '" + name + "'");
        std::string key = name.size() > 4 && name.ends_with(".npy") ? name.substr(0, name.size() - 4) : name;
        out[key] = parse_npy(bytes.substr(data_at, csize), what + ":" + name);
        at += 46 + name_len + extra_len + comment_len;
    }
    return out;
}

} // namespace tdlab
