#include "core/npy.h"

#include "core/atomic_file.h"
#include "core/error.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <optional>
#include <set>
#include <zlib.h>

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

std::string_view bytes_view(const NpyArray &a) {
    return {reinterpret_cast<const char *>(a.bytes.data()), a.bytes.size()};
}

// CRC-32 of a zip member (zlib's, the same polynomial the zip format uses) over `size` bytes, continuing
// `crc` (the CRC of the member's bytes before them; 0 to start).
uint32_t crc32_of(const char *data, size_t size, uint32_t crc = 0) {
    uLong c = crc;
    while (size > 0) {
        const uInt n = uInt(std::min<size_t>(size, 1u << 30));
        c = ::crc32(c, reinterpret_cast<const Bytef *>(data), n);
        data += n;
        size -= n;
    }
    return uint32_t(c);
}

// a * b, or nullopt if it does not fit in size_t.
std::optional<size_t> mul(size_t a, size_t b) {
    size_t r = 0;
    if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
    return r;
}

// The value of a header key: 'key': <value> with either quote style, as numpy's literal_eval accepts.
// (A plain scan, not std::regex: readers of many small arrays spent most of their time compiling regexes.)
std::optional<std::string> header_value(const std::string &header, const std::string &key) {
    for (const char quote : {'\'', '"'}) {
        const std::string quoted = std::string(1, quote) + key + quote;
        for (size_t at = header.find(quoted); at != std::string::npos; at = header.find(quoted, at + 1)) {
            size_t k = at + quoted.size();
            while (k < header.size() && (header[k] == ' ' || header[k] == '\t')) ++k;
            if (k >= header.size() || header[k] != ':') continue;
            ++k;
            while (k < header.size() && (header[k] == ' ' || header[k] == '\t')) ++k;
            return header.substr(k);
        }
    }
    return std::nullopt;
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
    for (size_t s : shape) {
        const auto next = mul(n, s);
        if (!next) throw UsageError("array shape is too large (its element count overflows)");
        n = *next;
    }
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

std::string npy_header(const NpyArray &a) {
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
    return out;
}

std::string npy_bytes(const NpyArray &a) {
    std::string out = npy_header(a);
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
    if (header_len > bytes.size() - header_at) throw UsageError(what + ": truncated NPY header");
    const std::string header = bytes.substr(header_at, header_len);
    NpyArray a;
    const auto descr = header_value(header, "descr");
    if (!descr) throw UsageError(what + ": NPY header has no 'descr'");
    if (descr->empty() || (descr->front() != '\'' && descr->front() != '"')) {
        // A list of fields: a structured (record) dtype.
        const std::string shown = descr->substr(0, std::min(descr->find('}'), size_t(60)));
        throw UsageError(what + ": unsupported NPY dtype " + shown +
                         " (structured arrays are not supported; tdlab reads plain numeric arrays)");
    }
    const size_t close = descr->find(descr->front(), 1);
    if (close == std::string::npos) throw UsageError(what + ": malformed 'descr' in the NPY header");
    a.dtype = descr->substr(1, close - 1);
    if (a.dtype == "<f8" || a.dtype == "<f4" || a.dtype == "<i8" || a.dtype == "<i4") {
    } else if (a.dtype == "|u1" || a.dtype == "|b1" || a.dtype == "|i1" || a.dtype == "<u4" || a.dtype == "<u8" ||
               a.dtype == "<i2" || a.dtype == "<u2") {
    } else {
        throw UsageError(what + ": unsupported NPY dtype '" + a.dtype +
                         "' (tdlab reads little-endian float32/64 and integer arrays)");
    }
    if (const auto fo = header_value(header, "fortran_order"); fo && fo->rfind("True", 0) == 0) {
        throw UsageError(what + ": Fortran-ordered NPY arrays are not supported");
    }
    const auto shape = header_value(header, "shape");
    if (!shape || shape->empty() || shape->front() != '(' || shape->find(')') == std::string::npos)
        throw UsageError(what + ": NPY header has no shape");
    const std::string dims = shape->substr(1, shape->find(')') - 1);
    // Entries are non-negative integers separated by commas; anything else (a sign, an expression) is
    // refused rather than read as something it is not.
    size_t pos = 0;
    while (pos < dims.size()) {
        while (pos < dims.size() && (dims[pos] == ' ' || dims[pos] == ',')) ++pos;
        if (pos == dims.size()) break;
        uint64_t v = 0;
        const auto [end, ec] = std::from_chars(dims.data() + pos, dims.data() + dims.size(), v);
        if (ec == std::errc::result_out_of_range) throw UsageError(what + ": NPY shape (" + dims + ") is too large");
        if (ec != std::errc() || end == dims.data() + pos) {
            throw UsageError(what + ": NPY shape (" + dims + ") has an entry that is not a non-negative integer" +
                             (dims[pos] == '-' ? " (negative dimension)" : ""));
        }
        a.shape.push_back(size_t(v));
        pos = size_t(end - dims.data());
        if (pos < dims.size() && dims[pos] != ',' && dims[pos] != ' ')
            throw UsageError(what + ": NPY shape (" + dims + ") is malformed");
    }
    const size_t data_at = header_at + header_len;
    std::optional<size_t> need = descr_size(a.dtype, what);
    for (size_t d : a.shape) need = need ? mul(*need, d) : std::nullopt;
    if (!need) throw UsageError(what + ": NPY shape (" + dims + ") is too large (the byte count overflows)");
    if (bytes.size() - data_at < *need) {
        throw UsageError(what + ": truncated NPY data (" + std::to_string(bytes.size() - data_at) + " of " +
                         std::to_string(*need) + " bytes for shape (" + dims + "))");
    }
    a.bytes.assign(bytes.begin() + long(data_at), bytes.begin() + long(data_at + *need));
    return a;
}

void write_npy(const std::filesystem::path &path, const NpyArray &array) {
    const std::string header = npy_header(array);
    write_file_atomic(path, {header, bytes_view(array)});
}

NpyArray read_npy(const std::filesystem::path &path) {
    return parse_npy(read_file(path), path.string());
}

void write_npz(const std::filesystem::path &path, const NpzMap &arrays, Durability durability) {
    // Plain zip (no ZIP64): every member, offset and the whole archive must stay below 4 GiB, and at most
    // 65535 members. Checked before anything is written, so an oversized result is refused whole.
    constexpr uint64_t kZipLimit = 0xFFFFFFFFull;
    uint64_t total = 22;
    for (const auto &[name, array] : arrays) {
        const uint64_t member = 10 + 256 + array.bytes.size(); // NPY header is < 256 bytes for our arrays
        total += 30 + 46 + 2 * (name.size() + 4) + member;
        if (member >= kZipLimit || total >= kZipLimit) {
            throw RuntimeError("cannot write '" + path.string() + "': array '" + name +
                               "' brings the NPZ past 4 GiB, the zip limit without ZIP64; use a smaller run " +
                               "(fewer points or steps per file)");
        }
    }
    if (arrays.size() > 65535) throw RuntimeError("cannot write '" + path.string() + "': more than 65535 arrays");
    // The archive as pieces written in order: per member a local header (with the member name), the NPY
    // header and the array's own bytes (not copied); then the central directory and its end record.
    std::vector<std::string> heads; // local header + name, then NPY header, per member
    heads.reserve(2 * arrays.size());
    std::vector<std::string_view> pieces;
    std::string central;
    uint64_t offset = 0;
    uint16_t count = 0;
    for (const auto &[name, array] : arrays) {
        const std::string member = name + ".npy";
        const std::string_view data = bytes_view(array);
        std::string npy = npy_header(array);
        const uint32_t crc = crc32_of(data.data(), data.size(), crc32_of(npy.data(), npy.size()));
        const uint32_t size = uint32_t(npy.size() + data.size());
        // Local file header: stored (method 0), no data descriptor.
        std::string local;
        put_u32(local, 0x04034b50);
        put_u16(local, 20);
        put_u16(local, 0);
        put_u16(local, 0);
        put_u16(local, 0);
        put_u16(local, 0x21); // DOS time and date (1980-01-01): fixed, so equal arrays give equal bytes
        put_u32(local, crc);
        put_u32(local, size);
        put_u32(local, size);
        put_u16(local, uint16_t(member.size()));
        put_u16(local, 0);
        local += member;
        put_u32(central, 0x02014b50);
        put_u16(central, 20);
        put_u16(central, 20);
        put_u16(central, 0);
        put_u16(central, 0);
        put_u16(central, 0);
        put_u16(central, 0x21);
        put_u32(central, crc);
        put_u32(central, size);
        put_u32(central, size);
        put_u16(central, uint16_t(member.size()));
        put_u16(central, 0);
        put_u16(central, 0);
        put_u16(central, 0);
        put_u16(central, 0);
        put_u32(central, 0);
        put_u32(central, uint32_t(offset));
        central += member;
        offset += local.size() + size;
        heads.push_back(std::move(local));
        heads.push_back(std::move(npy));
        pieces.push_back(heads[heads.size() - 2]);
        pieces.push_back(heads.back());
        pieces.push_back(data);
        ++count;
    }
    const uint64_t central_at = offset;
    const uint32_t central_size = uint32_t(central.size());
    put_u32(central, 0x06054b50);
    put_u16(central, 0);
    put_u16(central, 0);
    put_u16(central, count);
    put_u16(central, count);
    put_u32(central, central_size);
    put_u32(central, uint32_t(central_at));
    put_u16(central, 0);
    pieces.push_back(central);
    write_file_atomic(path, pieces, durability);
}

NpzMap parse_npz(const std::string &bytes, const std::string &what) {
    // Every offset and length below comes from the file: each is checked against the bytes we have
    // before it is used, with 64-bit arithmetic (the fields are at most 32-bit, so sums cannot wrap).
    if (bytes.size() < 22) throw UsageError(what + ": not an NPZ (zip) file or truncated");
    size_t eocd = std::string::npos;
    for (size_t k = bytes.size() - 22 + 1; k-- > 0 && bytes.size() - k < 22 + 65536;) {
        if (get_u32(bytes, k) == 0x06054b50) {
            eocd = k;
            break;
        }
    }
    if (eocd == std::string::npos) throw UsageError(what + ": not an NPZ (zip) file or truncated");
    const uint16_t count = get_u16(bytes, eocd + 10);
    const uint64_t dir_size = get_u32(bytes, eocd + 12);
    uint64_t at = get_u32(bytes, eocd + 16);
    if (get_u16(bytes, eocd + 4) != 0 || get_u16(bytes, eocd + 6) != 0 || get_u16(bytes, eocd + 8) != count)
        throw UsageError(what + ": multi-part zip archives are not supported");
    if (at == 0xFFFFFFFFull || count == 0xFFFF)
        throw UsageError(what + ": ZIP64 archives are not supported (tdlab writes plain zip files under 4 GiB)");
    if (at + dir_size > eocd) throw UsageError(what + ": corrupt zip central directory (out of range)");
    NpzMap out;
    for (uint16_t k = 0; k < count; ++k) {
        if (at + 46 > eocd || get_u32(bytes, at) != 0x02014b50) {
            throw UsageError(what + ": corrupt zip central directory (entry " + std::to_string(k) + ")");
        }
        const uint16_t flags = get_u16(bytes, at + 8);
        const uint16_t method = get_u16(bytes, at + 10);
        const uint32_t crc = get_u32(bytes, at + 16);
        const uint64_t csize = get_u32(bytes, at + 20), usize = get_u32(bytes, at + 24);
        const uint16_t name_len = get_u16(bytes, at + 28), extra_len = get_u16(bytes, at + 30),
                       comment_len = get_u16(bytes, at + 32);
        const uint64_t local = get_u32(bytes, at + 42);
        if (at + 46 + name_len + extra_len + comment_len > eocd)
            throw UsageError(what + ": corrupt zip central directory (entry " + std::to_string(k) + ")");
        const std::string name = bytes.substr(size_t(at + 46), name_len);
        if (method != 0) {
            throw UsageError(what + ": member '" + name +
                             "' is compressed; tdlab reads stored NPZ files (np.savez, not np.savez_compressed)");
        }
        if (flags & 1) throw UsageError(what + ": member '" + name + "' is encrypted");
        if (csize == 0xFFFFFFFFull || usize == 0xFFFFFFFFull || local == 0xFFFFFFFFull)
            throw UsageError(what + ": member '" + name + "' uses ZIP64, which tdlab does not read");
        if (csize != usize) throw UsageError(what + ": member '" + name + "' has inconsistent sizes");
        if (local + 30 > bytes.size() || get_u32(bytes, size_t(local)) != 0x04034b50)
            throw UsageError(what + ": corrupt or truncated zip member '" + name + "' (bad local header)");
        const uint64_t data_at = local + 30 + get_u16(bytes, size_t(local + 26)) + get_u16(bytes, size_t(local + 28));
        if (data_at + csize > bytes.size()) throw UsageError(what + ": truncated zip member '" + name + "'");
        if (crc32_of(bytes.data() + data_at, size_t(csize)) != crc)
            throw UsageError(what + ": member '" + name + "' fails its CRC-32 check (the file is corrupt)");
        const std::string key = name.size() > 4 && name.ends_with(".npy") ? name.substr(0, name.size() - 4) : name;
        if (out.count(key)) throw UsageError(what + ": member '" + name + "' appears twice");
        out[key] = parse_npy(bytes.substr(size_t(data_at), size_t(csize)), what + ": array '" + key + "'");
        at += 46 + name_len + extra_len + comment_len;
    }
    return out;
}

NpzMap read_npz(const std::filesystem::path &path) {
    return parse_npz(read_file(path), path.string());
}

} // namespace tdlab
