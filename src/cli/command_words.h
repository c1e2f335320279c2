// A mistyped command or option ("tdlab dmft swep", "--ouput"), named with the nearest known names: CLI11 2.1
// alone answers "A subcommand is required" or "The following argument was not expected". Only reads argv and
// the command tree main.cpp built; the distance is core/suggest.h's.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace tdlab::cli {

// Walks the words before the first option down the command tree; throws UsageError naming the first word
// that is no subcommand of a command that needs one (or that the words stop at such a command), with the
// nearest names and the full list.
void check_command_words(CLI::App &app, int argc, const char *const *argv);

// " did you mean '--out'?" for the first long option (before a bare "--") that the command named by the
// leading words does not have, or "" when every long option is known or nothing is near.
std::string unknown_option_hint(CLI::App &app, int argc, const char *const *argv);

} // namespace tdlab::cli
