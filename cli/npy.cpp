#include "npy.h"

#include <bit>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <istream>
#include <regex>

#include <unistd.h>

#include "convgen/errors.h"

namespace convgen::cli {
namespace {

static_assert(std::endian::native == std::endian::little, "the .npy reader assumes a little-endian host");

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
constexpr uint32_t kMaxHeaderSize = 10000;

[[noreturn]] void fail(const std::string &path, const std::string &problem) {
    throw Error("'" + path + "': " + problem);
}

// The value text of `key` in the header's Python dict literal.
std::string dict_value(const std::string &header, const std::string &key, const std::string &path) {
    const std::regex pattern("['\"]" + key + "['\"]\\s*:\\s*(\\([^)]*\\)|'[^']*'|\"[^\"]*\"|True|False)");
    std::smatch match;
    if (!std::regex_search(header, match, pattern)) fail(path, "corrupt .npy header: no '" + key + "' entry");
    return match[1].str();
}

Shape parse_shape(const std::string &text, const std::string &path) {
    Shape shape;
    const std::string inner = text.substr(1, text.size() - 2);
    const std::regex number("\\s*(\\d+)\\s*(,|$)");
    auto begin = std::sregex_iterator(inner.begin(), inner.end(), number);
    size_t consumed = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
        if (size_t(it->position()) != consumed) fail(path, "corrupt .npy header: bad shape " + text);
        int64_t size = 0;
        const std::string digits = (*it)[1].str();
        if (std::from_chars(digits.data(), digits.data() + digits.size(), size).ec != std::errc()) {
            fail(path, "corrupt .npy header: bad shape " + text);  // more digits than int64 holds
        }
        shape.push_back(size);
        consumed += size_t(it->length());
    }
    if (inner.find_first_not_of(" ", consumed) != std::string::npos) {
        fail(path, "corrupt .npy header: bad shape " + text);
    }
    return shape;
}

}  // namespace

Tensor read_npy(const std::string &path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) fail(path, "cannot open file");
    return read_npy(file, path);
}

Tensor read_npy(std::istream &file, const std::string &path) {
    char magic[kMagicSize + 2] = {};
    if (!file.read(magic, sizeof magic) || std::memcmp(magic, kMagic, kMagicSize) != 0) {
        fail(path, "not a .npy file (bad magic string)");
    }
    const int major = static_cast<unsigned char>(magic[kMagicSize]);
    if (major < 1 || major > 3) fail(path, "unsupported .npy format version " + std::to_string(major));
    uint32_t header_size = 0;
    if (major == 1) {
        unsigned char bytes[2];
        if (!file.read(reinterpret_cast<char *>(bytes), 2)) fail(path, "truncated .npy header");
        header_size = uint32_t(bytes[0]) | uint32_t(bytes[1]) << 8;
    } else {
        unsigned char bytes[4];
        if (!file.read(reinterpret_cast<char *>(bytes), 4)) fail(path, "truncated .npy header");
        header_size = uint32_t(bytes[0]) | uint32_t(bytes[1]) << 8 | uint32_t(bytes[2]) << 16 | uint32_t(bytes[3]) << 24;
    }
    // NumPy's own limit (np.load's max_header_size); it also bounds the work of parsing the header.
    if (header_size > kMaxHeaderSize) {
        fail(path, "header length " + std::to_string(header_size) + " is over " + std::to_string(kMaxHeaderSize) +
                       " bytes");
    }
    std::string header(header_size, '\0');
    if (!file.read(header.data(), header_size)) fail(path, "truncated .npy header");

    const std::string descr = dict_value(header, "descr", path);
    if (descr != "'<f4'" && descr != "\"<f4\"") {
        fail(path, "unsupported dtype " + descr + "; convgen reads little-endian float32 ('<f4') arrays");
    }
    if (dict_value(header, "fortran_order", path) != "False") {
        fail(path, "Fortran-ordered arrays are not supported; save a C-contiguous array");
    }
    const Shape shape = parse_shape(dict_value(header, "shape", path), path);
    int64_t count = 1;
    for (int64_t s : shape) {
        if (s != 0 && count > INT64_MAX / 4 / s) fail(path, "array is too large");
        count *= s;
    }

    const auto data_start = file.tellg();
    file.seekg(0, std::ios::end);
    const int64_t available = int64_t(file.tellg() - data_start);
    if (available != count * 4) {
        fail(path, "data size " + std::to_string(available) + " bytes does not match shape (expected " +
                       std::to_string(count * 4) + " bytes)" + (available < count * 4 ? ": file is truncated" : ""));
    }
    file.seekg(data_start);
    Tensor tensor(shape);
    if (count > 0 && !file.read(reinterpret_cast<char *>(tensor.data()), std::streamsize(count * 4))) {
        fail(path, "read error");
    }
    return tensor;
}

void write_npy(const std::string &path, const Shape &shape, const float *data) {
    std::string dims;  // Python tuple syntax: "", "3,", "2, 3"
    for (size_t i = 0; i < shape.size(); ++i) dims += (i ? ", " : "") + std::to_string(shape[i]);
    if (shape.size() == 1) dims += ",";
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
    // Pad so the data starts on a 64-byte boundary, as NumPy does.
    const size_t unpadded = kMagicSize + 2 + 2 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header.push_back('\n');

    int64_t count = 1;
    for (int64_t s : shape) count *= s;
    const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
    {
        std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
        if (!file) throw Error("'" + path + "': cannot open for writing");
        file.write(kMagic, kMagicSize);
        const char version[2] = {1, 0};
        file.write(version, 2);
        const char size[2] = {char(header.size() & 0xff), char(header.size() >> 8)};
        file.write(size, 2);
        file.write(header.data(), std::streamsize(header.size()));
        file.write(reinterpret_cast<const char *>(data), std::streamsize(count * 4));
        file.close();
        if (!file) {
            std::filesystem::remove(temporary);
            throw Error("'" + path + "': write failed");
        }
    }
    std::error_code error;
    std::filesystem::rename(temporary, path, error);
    if (error) {
        std::filesystem::remove(temporary);
        throw Error("'" + path + "': " + error.message());
    }
}

}  // namespace convgen::cli
