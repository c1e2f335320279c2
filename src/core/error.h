// Error types shared by every subsystem. The CLI maps them to exit codes:
//   UsageError   -> 2 (bad command line, config key, value, missing or malformed input file)
//   RuntimeError -> 1 (a failure while running: NaN in a state, I/O failure on output)
#pragma once

#include <stdexcept>
#include <string>

namespace tdlab {

class UsageError : public std::runtime_error {
  public:
    explicit UsageError(const std::string &what) : std::runtime_error(what) {}
};

class RuntimeError : public std::runtime_error {
  public:
    explicit RuntimeError(const std::string &what) : std::runtime_error(what) {}
};

} // namespace tdlab
