// Typed, validated configuration: YAML files plus Hydra-style `--set key=value` overrides.
//
// Each command declares a ConfigSchema: the dotted keys it accepts (`dmft.beta`, `sweep.count`, ...),
// their type, default, range or allowed values, and a help line. Config::load reads an optional YAML
// file (nested maps flatten to dotted keys), applies the overrides in order, and validates: an unknown
// key, a wrong type or an out-of-range value is a UsageError that names the key (and the file).
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tdlab {

enum class ValueType { Double, Int, Bool, String, DoubleList, IntList };

struct ConfigKey {
    std::string name;
    ValueType type = ValueType::Double;
    std::string default_value; // a YAML scalar or flow sequence, e.g. "1.27", "cold", "[1, 3]"
    double min = -std::numeric_limits<double>::infinity();
    double max = std::numeric_limits<double>::infinity();
    std::vector<std::string> choices; // for strings: allowed values (empty = any)
    bool open_choices = false;        // string may also be any value that is not a choice (e.g. a file path)
    std::string help;
};

// A bound or value as a person reads it: "0", "1e+06", "0.001", "inf", "max" (for INT64_MAX).
std::string readable_number(double v, ValueType type = ValueType::Double);

class ConfigSchema {
  public:
    ConfigSchema &add_double(const std::string &name, double def, double min, double max, const std::string &help);
    ConfigSchema &add_int(const std::string &name, int64_t def, int64_t min, int64_t max, const std::string &help);
    ConfigSchema &add_bool(const std::string &name, bool def, const std::string &help);
    // choices empty: any string. open_choices: choices are suggestions, other strings are allowed too.
    ConfigSchema &add_string(const std::string &name, const std::string &def, std::vector<std::string> choices,
                             const std::string &help, bool open_choices = false);
    ConfigSchema &add_double_list(const std::string &name, const std::string &def, const std::string &help);
    ConfigSchema &add_int_list(const std::string &name, const std::string &def, const std::string &help);
    ConfigSchema &merge(const ConfigSchema &other);

    const ConfigKey *find(const std::string &name) const;
    const std::vector<ConfigKey> &keys() const { return keys_; }
    // A help table of every key, its default and description (for `--help-config`).
    std::string describe() const;

  private:
    std::vector<ConfigKey> keys_;
};

class Config {
  public:
    // Loads `file` (if given), applies overrides "key=value" in order, validates everything.
    static Config load(const ConfigSchema &schema, const std::optional<std::filesystem::path> &file,
                       const std::vector<std::string> &overrides);
    static Config defaults(const ConfigSchema &schema) { return load(schema, std::nullopt, {}); }

    double get_double(const std::string &key) const;
    int64_t get_int(const std::string &key) const;
    bool get_bool(const std::string &key) const;
    std::string get_string(const std::string &key) const;
    std::vector<double> get_double_list(const std::string &key) const;
    std::vector<int64_t> get_int_list(const std::string &key) const;

    // Sets a value from its YAML text, validated against the schema.
    void set(const std::string &key, const std::string &yaml_value, const std::string &origin = "--set");
    // The resolved configuration as nested YAML, keys in schema order.
    std::string to_yaml() const;
    const ConfigSchema &schema() const { return schema_; }

  private:
    ConfigSchema schema_;
    std::map<std::string, std::string> values_; // key -> canonical YAML text
    const std::string &raw(const std::string &key, ValueType expected) const;
};

} // namespace tdlab
