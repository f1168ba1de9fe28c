// Runs a real kernel, then leaks one convgen Tensor on purpose. Its ctest entry passes only when
// LeakSanitizer reports that leak: proof that lsan.supp hides Halide and LLVM, not convgen.
#include "convgen/convgen.h"

namespace convgen::leak_canary {

// A volatile store the compiler cannot elide; overwriting it drops the last reference.
Tensor *volatile sink = nullptr;

[[gnu::noinline]] void leak_one_tensor() {
    sink = new Tensor({16});
    sink = nullptr;
}

}  // namespace convgen::leak_canary

int main() {
    const convgen::Conv2d conv(convgen::Conv2dOptions(1, 1, 3));
    const convgen::Tensor output = conv.forward(convgen::Tensor({1, 1, 5, 5}));
    convgen::leak_canary::leak_one_tensor();
    return output.numel() == 9 ? 0 : 1;
}
