#pragma once
// The lowercase names of an enum's values (CLI options, suite files, cache keys) as one table
// per enum, read both ways.
#include <array>
#include <cstddef>
#include <string_view>
#include <utility>

namespace convgen {

template <typename Enum, size_t N>
using NameTable = std::array<std::pair<Enum, std::string_view>, N>;

// "?" for a value the table lacks.
template <typename Enum, size_t N>
std::string_view name_of(const NameTable<Enum, N> &table, Enum value) {
    for (const auto &[v, name] : table) {
        if (v == value) return name;
    }
    return "?";
}

// False, and `out` untouched, for a name the table lacks.
template <typename Enum, size_t N>
bool value_of(const NameTable<Enum, N> &table, std::string_view name, Enum &out) {
    for (const auto &[v, n] : table) {
        if (n == name) {
            out = v;
            return true;
        }
    }
    return false;
}

}  // namespace convgen
