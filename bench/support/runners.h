#pragma once
// One benchmarkable implementation of a suite layer: set up in the constructor (JIT, weight
// packing, oneDNN primitive creation), timed through run().
#include <memory>
#include <string>
#include <vector>

#include "convgen/suite.h"

namespace convgen::bench {

class Runner {
public:
    virtual ~Runner() = default;
    virtual void run() = 0;
    // How it runs, where that varies with the problem (empty otherwise).
    virtual std::string plan() const { return {}; }
};

// A named way to run a layer: a convgen schedule in a layout, the plain-loop reference, or
// oneDNN in its preferred blocked layout ("onednn") or with NCHW tensors in and out, reorders
// included ("onednn_nchw").
struct Variant {
    enum class Kind { Convgen, Reference, Onednn, OnednnNchw, OnednnWinograd };
    std::string name;
    Kind kind = Kind::Convgen;
    std::string schedule;
    Layout layout = Layout::NCHW;
    Algorithm algorithm = Algorithm::Direct;
    std::string description;
};

// Every variant this build can run (autoscheduler variants only when their plugin loads).
const std::vector<Variant> &all_variants();
// Throws convgen::Error listing the known names.
const Variant &find_variant(const std::string &name);

// A dense tensor of uniform values in [-1, 1) in `layout` (the same for every call).
Tensor random_input(const Shape &shape, Layout layout);

// `threads` applies to convgen's and oneDNN's thread pools alike.
std::unique_ptr<Runner> make_runner(const Variant &variant, const SuiteLayer &layer, int threads);

}  // namespace convgen::bench
