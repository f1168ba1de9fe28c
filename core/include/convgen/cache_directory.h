#pragma once
// Where convgen keeps its per-user files (compiled kernels, the tuning database) when nothing
// else is said: one rule shared by the runtime's kernel cache and tuning/.
#include <filesystem>

namespace convgen {

// $CONVGEN_CACHE_DIR, else $XDG_CACHE_HOME/convgen, else ~/.cache/convgen; empty when none of
// these variables is set (the caller then has nowhere on disk to write).
std::filesystem::path cache_directory_from_environment();

}  // namespace convgen
