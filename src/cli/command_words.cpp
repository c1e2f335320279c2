#include "cli/command_words.h"

#include "core/error.h"
#include "core/suggest.h"

#include <algorithm>
#include <fmt/format.h>
#include <vector>

namespace tdlab::cli {

namespace {

std::vector<CLI::App *> subcommands(CLI::App *app) {
    return app->get_subcommands([](CLI::App *) { return true; });
}

// The command the leading non-option words name (as far as they name one), and the index of the first word
// after them.
std::pair<CLI::App *, int> named_command(CLI::App &app, int argc, const char *const *argv) {
    CLI::App *cur = &app;
    int i = 1;
    for (; i < argc && argv[i][0] != '-'; ++i) {
        const auto subs = subcommands(cur);
        const auto it = std::find_if(subs.begin(), subs.end(), [&](CLI::App *s) { return s->check_name(argv[i]); });
        if (it == subs.end()) break;
        cur = *it;
    }
    return {cur, i};
}

} // namespace

void check_command_words(CLI::App &app, int argc, const char *const *argv) {
    const auto [cur, i] = named_command(app, argc, argv);
    if (cur->get_require_subcommand_min() == 0) return;
    std::vector<std::string> names;
    for (CLI::App *s : subcommands(cur)) names.push_back(s->get_name());
    std::string path = "tdlab";
    for (int j = 1; j < i; ++j) path += std::string(" ") + argv[j];
    if (i < argc && argv[i][0] == '-') {
        // an option where a command is needed: fine if the command has it (--help, --version), else CLI11 would
        // only say "A subcommand is required"
        const std::string hint = unknown_option_hint(app, argc, argv);
        const std::string word = std::string(argv[i]).substr(0, std::string(argv[i]).find('='));
        if (std::string(argv[i]).rfind("--", 0) == 0 && !cur->get_option_no_throw(word))
            throw UsageError(fmt::format("unknown option '{}' for '{}' (its commands: {}){}", word, path,
                                         fmt::join(names, ", "), hint.empty() ? "" : ";" + hint));
        return;
    }
    if (i >= argc)
        throw UsageError(fmt::format("'{}' needs a command: {} (see '{} --help')", path, fmt::join(names, ", "), path));
    const std::string guess = did_you_mean(argv[i], names);
    throw UsageError(fmt::format("unknown command '{}' after '{}';{} commands there: {}", argv[i], path,
                                 guess.empty() ? "" : guess, fmt::join(names, ", ")));
}

std::string unknown_option_hint(CLI::App &app, int argc, const char *const *argv) {
    const auto [cur, first] = named_command(app, argc, argv);
    std::vector<std::string> known;
    for (const CLI::Option *o : cur->get_options())
        for (const auto &l : o->get_lnames()) known.push_back("--" + l);
    for (int i = first; i < argc; ++i) {
        const std::string word = argv[i];
        if (word == "--") break;
        if (word.rfind("--", 0) != 0) continue;
        const std::string name = word.substr(0, word.find('='));
        if (std::find(known.begin(), known.end(), name) == known.end()) return did_you_mean(name, known);
    }
    return "";
}

} // namespace tdlab::cli
