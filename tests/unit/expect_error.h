#pragma once
// Asserting that a call is refused with the right convgen error type and wording.
#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "convgen/errors.h"

namespace convgen::testing {

template <typename ExpectedError>
void expect_error(const std::function<void()> &f, const std::string &message) {
    try {
        f();
        ADD_FAILURE() << "no error; expected: " << message;
    } catch (const ExpectedError &e) {
        EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << "got: " << e.what();
    } catch (const std::exception &e) {
        ADD_FAILURE() << "wrong exception type: " << e.what();
    }
}

}  // namespace convgen::testing
