// convgen's own variants: a Conv2d layer with a schedule, layout and algorithm; and the reference.
#include <random>

#include "convgen/convgen.h"
#include "reference/reference.h"
#include "runners.h"

namespace convgen::bench {

Tensor random_input(const Shape &shape, Layout layout) {
    Tensor t(shape, layout_strides(shape, 1, layout));
    std::mt19937 engine(1);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = uniform(engine);
    return t;
}

namespace {

// The variant's algorithm, or direct where Winograd cannot compute the layer.
Algorithm algorithm_for(const Variant &v, const SuiteLayer &l) {
    if (v.algorithm != Algorithm::Winograd) return v.algorithm;
    return l.winograd_applies() ? Algorithm::Winograd : Algorithm::Direct;
}

class ConvgenRunner : public Runner {
public:
    ConvgenRunner(const Variant &v, const SuiteLayer &l)
        : conv_(l.options().schedule(v.schedule).layout(v.layout).algorithm(algorithm_for(v, l))),
          input_(random_input(l.input_shape(), v.layout)) {
        const Shape out = conv_.output_shape(l.input_shape());
        output_ = Tensor(out, layout_strides(out, 1, v.layout));
        conv_.prepare(l.input_shape());
    }
    void run() override { conv_.forward(input_, output_.view()); }

private:
    Conv2d conv_;
    Tensor input_, output_;
};

class ReferenceRunner : public Runner {
public:
    explicit ReferenceRunner(const SuiteLayer &l)
        : conv_(l.options()), input_(random_input(l.input_shape(), Layout::NCHW)), spec_(conv_.spec(l.input_shape())) {}
    void run() override {
        const std::optional<ConstTensorView> bias = conv_.bias();
        result_ = reference::run(spec_, input_.data(), conv_.weight().data, bias ? bias->data : nullptr);
    }

private:
    Conv2d conv_;
    Tensor input_;
    OpSpec spec_;
    std::vector<float> result_;
};

}  // namespace

std::unique_ptr<Runner> make_convgen_runner(const Variant &v, const SuiteLayer &l) {
    if (v.kind == Variant::Kind::Reference) return std::make_unique<ReferenceRunner>(l);
    return std::make_unique<ConvgenRunner>(v, l);
}

}  // namespace convgen::bench
