// The .npy reader on arbitrary bytes: each input is refused with convgen::Error, or read into a
// tensor holding exactly the file's data bytes.
#include <cstring>
#include <sstream>

#include "convgen/errors.h"
#include "fuzz_support.h"
#include "npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string bytes(reinterpret_cast<const char *>(data), size);
    std::istringstream stream(bytes);
    convgen::Tensor tensor;
    try {
        tensor = convgen::cli::read_npy(stream, "fuzz.npy");
    } catch (const convgen::Error &) {
        return 0;
    }
    const size_t data_bytes = size_t(tensor.numel()) * sizeof(float);
    convgen::fuzz::require(data_bytes <= size, "more data than the file holds");
    convgen::fuzz::require(data_bytes == 0 ||
                               std::memcmp(tensor.data(), bytes.data() + (size - data_bytes), data_bytes) == 0,
                           "the data is not the file's last bytes");
    return 0;
}
