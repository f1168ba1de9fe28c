#pragma once
// Checks on caller-built tensor views, made before any of their memory is touched.
#include <string>

#include "convgen/tensor.h"

namespace convgen::detail {

// Throws RuntimeError unless `view` has one stride per size and no negative size.
void check_view_shape(ConstTensorView view, const std::string &name);

}  // namespace convgen::detail
