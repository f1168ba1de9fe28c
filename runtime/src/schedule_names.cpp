#include "schedule_names.h"

#include "convgen/schedules.h"
#include "schedules/registry.h"

namespace convgen {

std::vector<ScheduleInfo> available_schedules() {
    std::vector<ScheduleInfo> infos;
    for (const schedules::Schedule &s : schedules::all_schedules()) {
        infos.push_back({std::string(s.name), std::string(s.description)});
    }
    return infos;
}

namespace detail {

void check_schedule_name(const std::string &name) { schedules::find_schedule(name); }

}  // namespace detail
}  // namespace convgen
