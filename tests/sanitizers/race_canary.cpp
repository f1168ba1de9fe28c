// Runs a real kernel on two threads, then races on purpose on a counter that both threads bump
// without a lock. Its ctest entry passes only when ThreadSanitizer reports that race: proof that
// the TSan tree instruments convgen code and stops on a report.
#include <thread>

#include "convgen/convgen.h"

namespace convgen::race_canary {

// Volatile, so each bump is a real load and store the compiler cannot merge or elide.
volatile int unguarded_calls = 0;

[[gnu::noinline]] void forward_and_count(const Conv2d &conv) {
    conv.forward(Tensor({1, 1, 5, 5}));
    unguarded_calls = unguarded_calls + 1;
}

}  // namespace convgen::race_canary

int main() {
    const convgen::Conv2d conv(convgen::Conv2dOptions(1, 1, 3));
    std::thread first(convgen::race_canary::forward_and_count, std::cref(conv));
    std::thread second(convgen::race_canary::forward_and_count, std::cref(conv));
    first.join();
    second.join();
    return convgen::race_canary::unguarded_calls == 2 ? 0 : 1;
}
