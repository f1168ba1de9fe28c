#pragma once
// The schedules' names as the layers' options take them.
#include <string>

namespace convgen::detail {

// Throws ValueError naming the known schedules when `name` is not one of them.
void check_schedule_name(const std::string &name);

}  // namespace convgen::detail
