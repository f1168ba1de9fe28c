#pragma once
// The schedules this build offers, for option validation, help text and benchmarks.
#include <string>
#include <vector>

namespace convgen {

struct ScheduleInfo {
    std::string name;
    std::string description;
};

std::vector<ScheduleInfo> available_schedules();

}  // namespace convgen
