#include "generator/chain.h"

#include "generator/epilogue.h"
#include "generator/generate.h"
#include "generator/image_access.h"

namespace convgen::generator {

GeneratedChain generate_chain(const ChainSpec &chain) {
    const OpSpec &first = chain.first(), &last = chain.last();
    ImageInput input = image_input("input", first.batch, first.channels, first.image, first.layout);
    GeneratedChain generated;
    generated.arguments.push_back(input.param);

    Halide::Func current = input.logical;
    for (size_t i = 0; i < chain.layers.size(); ++i) {
        GeneratedPipeline layer = conv_stages(chain.layers[i], current, "layer" + std::to_string(i) + "_");
        generated.arguments.insert(generated.arguments.end(), layer.arguments.begin(), layer.arguments.end());
        current = layer.output;
        generated.layers.push_back(std::move(layer));
    }

    const ImageDims dims;
    const Halide::Var &x = dims.x, &y = dims.y, &c = dims.c, &n = dims.n;
    Halide::Expr sum = current(x, y, c, n);
    if (chain.residual == Residual::Input) sum += input.logical(x, y, c, n);
    if (chain.residual == Residual::Given) {
        ImageInput residual = image_input("residual", last.batch, last.out_channels, last.out, last.layout);
        generated.arguments.push_back(residual.param);
        sum += residual.logical(x, y, c, n);
    }
    Halide::Func block_result("block_result");
    block_result(x, y, c, n) = activate(sum, chain.activation);
    generated.output = image_output(block_result, last.batch, last.out_channels, last.out, last.layout);
    return generated;
}

}  // namespace convgen::generator
