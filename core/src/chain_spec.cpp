#include "convgen/chain_spec.h"

#include <charconv>
#include <sstream>

#include "convgen/errors.h"
#include "convgen/name_table.h"

namespace convgen {

namespace {

constexpr NameTable<Residual, 3> kResidualNames{
    {{Residual::None, "none"}, {Residual::Input, "input"}, {Residual::Given, "given"}}};

}  // namespace

std::string_view to_string(Residual residual) { return name_of(kResidualNames, residual); }
bool parse(std::string_view name, Residual &out) { return value_of(kResidualNames, name, out); }

std::string ChainConfig::text() const {
    if (!fused()) return "unfused";
    return "strip_rows=" + std::to_string(strip_rows) + " task_rows=" + std::to_string(task_rows);
}

ChainConfig parse_chain_config(std::string_view text) {
    if (text == "unfused") return {};
    ChainConfig config;
    std::istringstream in{std::string(text)};
    std::string word;
    while (in >> word) {
        const size_t eq = word.find('=');
        const std::string name = word.substr(0, eq);
        int *field = name == "strip_rows" ? &config.strip_rows : name == "task_rows" ? &config.task_rows : nullptr;
        int value = 0;
        const char *begin = word.data() + (eq == std::string::npos ? word.size() : eq + 1);
        const char *end = word.data() + word.size();
        const auto [last, error] = std::from_chars(begin, end, value);
        if (!field || eq == std::string::npos || error != std::errc() || last != end || value <= 0) {
            throw ValueError("chain config '" + std::string(text) + "': expected 'unfused' or "
                             "'strip_rows=R task_rows=T' with positive integers, but got '" + word + "'");
        }
        *field = value;
    }
    if (!config.fused() || config.task_rows == 0) {
        throw ValueError("chain config '" + std::string(text) + "': both strip_rows and task_rows are needed");
    }
    return config;
}

namespace {

std::string chain_key(const ChainSpec &chain, bool with_choices) {
    std::ostringstream os;
    os << "chain";
    for (const OpSpec &layer : chain.layers) os << " {" << (with_choices ? layer.key() : layer.problem_key()) << '}';
    os << " residual " << to_string(chain.residual) << " then " << to_string(chain.activation);
    if (with_choices) os << " [" << chain.config.text() << ']';
    return os.str();
}

}  // namespace

std::string ChainSpec::key() const { return chain_key(*this, true); }
std::string ChainSpec::problem_key() const { return chain_key(*this, false); }

double ChainSpec::flops() const {
    double total = 0;
    for (const OpSpec &layer : layers) total += layer.flops();
    return total;
}

}  // namespace convgen
