#include "convgen/cache_directory.h"

#include <cstdlib>

namespace convgen {

std::filesystem::path cache_directory_from_environment() {
    if (const char *dir = std::getenv("CONVGEN_CACHE_DIR"); dir && *dir) return dir;
    if (const char *xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::filesystem::path(xdg) / "convgen";
    if (const char *home = std::getenv("HOME"); home && *home) return std::filesystem::path(home) / ".cache" / "convgen";
    return {};
}

}  // namespace convgen
