#pragma once
// Tables of bad inputs for the bad-input matrix: each case names the call and how it must fail.
#include <functional>
#include <string>
#include <vector>

#include "expect_error.h"
#include "test_support.h"

namespace convgen::testing {

struct ExpectedRefusal {
    bool value_error;     // ValueError (bad options at construction), else RuntimeError
    std::string message;  // a part of the error message
};
inline ExpectedRefusal value_error(std::string message) { return {true, std::move(message)}; }
inline ExpectedRefusal runtime_error(std::string message) { return {false, std::move(message)}; }

struct BadInput {
    std::string name;
    ExpectedRefusal refusal;
    std::function<void()> call;
};

inline void expect_all_refused(const std::vector<BadInput> &cases) {
    for (const BadInput &c : cases) {
        SCOPED_TRACE(c.name);
        if (c.refusal.value_error) expect_error<ValueError>(c.call, c.refusal.message);
        else expect_error<RuntimeError>(c.call, c.refusal.message);
    }
    ::testing::Test::RecordProperty("bad_inputs", int(cases.size()));
}

}  // namespace convgen::testing
