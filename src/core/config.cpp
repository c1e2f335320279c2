#include "core/config.h"
#include "core/suggest.h"

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/yaml_document.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <yaml-cpp/yaml.h>

namespace tdlab {

namespace {

const char *type_name(ValueType t) {
    switch (t) {
    case ValueType::Double: return "a number";
    case ValueType::Int: return "an integer";
    case ValueType::Bool: return "a boolean (true/false)";
    case ValueType::String: return "a string";
    case ValueType::DoubleList: return "a list of numbers";
    case ValueType::IntList: return "a list of integers";
    }
    return "?";
}

bool parse_double(const std::string &s, double &out) {
    try {
        size_t used = 0;
        out = std::stod(s, &used);
        return used == s.size();
    } catch (...) {
        return false;
    }
}

bool parse_int(const std::string &s, int64_t &out) {
    try {
        size_t used = 0;
        out = std::stoll(s, &used);
        if (used == s.size()) return true;
        // Accept integral numbers written as 1e5 or 120000.0.
        double d = 0;
        if (parse_double(s, d) && std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e18) {
            out = int64_t(d);
            return true;
        }
        return false;
    } catch (...) {
        return false;
    }
}

// Flattens nested maps into dotted keys; scalars and sequences are leaves. The same dotted key reached
// twice (`dmft.beta: 1` beside `dmft: {beta: 2}`) is refused: which one was meant is a guess.
void flatten(const YAML::Node &node, const std::string &prefix, std::vector<std::pair<std::string, YAML::Node>> &out,
             std::map<std::string, int> &lines, const std::string &file) {
    if (node.IsMap()) {
        for (const auto &kv : node) {
            std::string k = kv.first.Scalar();
            const std::string key = prefix.empty() ? k : prefix + "." + k;
            if (!kv.second.IsMap()) {
                auto [it, fresh] = lines.emplace(key, yaml_line(kv.first));
                if (!fresh)
                    throw UsageError(fmt::format("config file '{}' line {}: key '{}' is given twice (also at line {})",
                                                 file, yaml_line(kv.first), printable(key), it->second));
            }
            flatten(kv.second, key, out, lines, file);
        }
    } else {
        out.emplace_back(prefix, node);
    }
}

std::string node_to_text(const YAML::Node &n) {
    if (n.IsScalar()) return n.Scalar();
    YAML::Emitter e;
    e << YAML::Flow << n;
    return e.c_str();
}

// Validates `text` as a value of `key`; returns the canonical text. Throws UsageError naming key and origin.
std::string canonical(const ConfigKey &key, const std::string &text, const std::string &origin) {
    auto fail = [&](const std::string &why) {
        throw UsageError(fmt::format("config key '{}' ({}): {}", key.name, origin, printable(why, 400)));
    };
    auto check_range = [&](double v, const std::string &shown) {
        if (std::isnan(v)) fail("value is NaN");
        if (v < key.min || v > key.max) {
            fail(fmt::format("value {} is out of range [{}, {}]", shown, readable_number(key.min, key.type),
                             readable_number(key.max, key.type)));
        }
    };
    YAML::Node node;
    try {
        node = YAML::Load(text);
    } catch (const YAML::Exception &e) {
        fail("cannot parse value '" + text + "': " + e.msg);
    }
    switch (key.type) {
    case ValueType::Double: {
        double v = 0;
        if (!node.IsScalar() || !parse_double(node.Scalar(), v))
            fail("expected " + std::string(type_name(key.type)) + ", got '" + text + "'");
        check_range(v, node.Scalar());
        return fmt::format("{}", v);
    }
    case ValueType::Int: {
        int64_t v = 0;
        if (!node.IsScalar() || !parse_int(node.Scalar(), v))
            fail("expected " + std::string(type_name(key.type)) + ", got '" + text + "'");
        check_range(double(v), node.Scalar());
        return std::to_string(v);
    }
    case ValueType::Bool: {
        std::string s = node.IsScalar() ? node.Scalar() : "";
        if (s == "true" || s == "True" || s == "yes" || s == "on" || s == "1") return "true";
        if (s == "false" || s == "False" || s == "no" || s == "off" || s == "0") return "false";
        fail("expected " + std::string(type_name(key.type)) + ", got '" + text + "'");
        return "";
    }
    case ValueType::String: {
        if (!node.IsScalar()) fail("expected a string, got '" + text + "'");
        std::string s = node.Scalar();
        if (!key.choices.empty() && !key.open_choices) {
            bool ok = false;
            for (const auto &c : key.choices) ok = ok || c == s;
            if (!ok) {
                std::string all;
                for (const auto &c : key.choices) all += (all.empty() ? "" : ", ") + c;
                fail("value '" + s + "' is not one of: " + all);
            }
        }
        return s;
    }
    case ValueType::DoubleList:
    case ValueType::IntList: {
        if (!node.IsSequence())
            fail("expected " + std::string(type_name(key.type)) + " like [1, 2], got '" + text + "'");
        std::string out = "[";
        for (size_t k = 0; k < node.size(); ++k) {
            const std::string s = node[k].IsScalar() ? node[k].Scalar() : "?";
            if (key.type == ValueType::DoubleList) {
                double v = 0;
                if (!parse_double(s, v)) fail("list entry '" + s + "' is not a number");
                check_range(v, s);
                out += fmt::format("{}{}", k ? ", " : "", v);
            } else {
                int64_t v = 0;
                if (!parse_int(s, v)) fail("list entry '" + s + "' is not an integer");
                check_range(double(v), s);
                out += fmt::format("{}{}", k ? ", " : "", v);
            }
        }
        return out + "]";
    }
    }
    return text;
}

} // namespace

std::string readable_number(double v, ValueType type) {
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    if (std::isnan(v)) return "nan";
    // Integer bounds such as INT64_MAX (9.223372036854776e+18 as a double) mean "no limit" in practice.
    if (type == ValueType::Int && std::fabs(v) >= 9.0e18) return v > 0 ? "max" : "min";
    // Integer bounds are exact: a large power of two as 2^k (1 << 40 read as 1.09951e+12), others in full.
    if (type == ValueType::Int && v == std::floor(v)) {
        int e = 0;
        if (v >= 1048576 && std::frexp(v, &e) == 0.5) return fmt::format("2^{}", e - 1);
        return fmt::format("{:.0f}", v);
    }
    if (v == std::floor(v) && std::fabs(v) < 1e7) return fmt::format("{:.0f}", v);
    // Large and tiny bounds read as 1e+12 and 1e-09 rather than 1000000000000 and 0.000000001.
    return fmt::format("{:.6g}", v);
}

ConfigSchema &ConfigSchema::add_double(const std::string &name, double def, double min, double max,
                                       const std::string &help) {
    keys_.push_back({name, ValueType::Double, fmt::format("{}", def), min, max, {}, false, help});
    return *this;
}
ConfigSchema &ConfigSchema::add_int(const std::string &name, int64_t def, int64_t min, int64_t max,
                                    const std::string &help) {
    keys_.push_back({name, ValueType::Int, std::to_string(def), double(min), double(max), {}, false, help});
    return *this;
}
ConfigSchema &ConfigSchema::add_bool(const std::string &name, bool def, const std::string &help) {
    keys_.push_back({name, ValueType::Bool, def ? "true" : "false", 0, 0, {}, false, help});
    return *this;
}
ConfigSchema &ConfigSchema::add_string(const std::string &name, const std::string &def,
                                       std::vector<std::string> choices, const std::string &help, bool open_choices) {
    ConfigKey k{name, ValueType::String, def, 0, 0, std::move(choices), open_choices, help};
    keys_.push_back(std::move(k));
    return *this;
}
ConfigSchema &ConfigSchema::add_double_list(const std::string &name, const std::string &def, const std::string &help) {
    keys_.push_back({name, ValueType::DoubleList, def, -INFINITY, INFINITY, {}, false, help});
    return *this;
}
ConfigSchema &ConfigSchema::add_int_list(const std::string &name, const std::string &def, const std::string &help) {
    keys_.push_back({name, ValueType::IntList, def, -INFINITY, INFINITY, {}, false, help});
    return *this;
}
ConfigSchema &ConfigSchema::merge(const ConfigSchema &other) {
    for (const auto &k : other.keys_) {
        if (!find(k.name)) keys_.push_back(k);
    }
    return *this;
}

const ConfigKey *ConfigSchema::find(const std::string &name) const {
    for (const auto &k : keys_) {
        if (k.name == name) return &k;
    }
    return nullptr;
}

std::string ConfigSchema::describe() const {
    // Columns as wide as the longest name and default, so that long keys do not shift their line.
    size_t name_w = 0, def_w = 0;
    for (const auto &k : keys_) {
        name_w = std::max(name_w, k.name.size());
        def_w = std::max(def_w, k.default_value.size());
    }
    std::string out;
    for (const auto &k : keys_) {
        std::string range;
        if (k.type == ValueType::Double || k.type == ValueType::Int) {
            range = fmt::format(" in [{}, {}]", readable_number(k.min, k.type), readable_number(k.max, k.type));
        } else if (!k.choices.empty()) {
            // Open choices are suggestions: the help says what else the key takes (a file, a list, ...).
            for (const auto &c : k.choices)
                range += (range.empty() ? (k.open_choices ? " e.g. " : " one of: ") : ", ") + c;
        }
        out += fmt::format("  {:<{}} default {:<{}} {}{}\n", k.name, name_w, k.default_value, def_w, k.help, range);
    }
    return out;
}

Config Config::load(const ConfigSchema &schema, const std::optional<std::filesystem::path> &file,
                    const std::vector<std::string> &overrides) {
    Config cfg;
    cfg.schema_ = schema;
    for (const auto &k : schema.keys()) cfg.values_[k.name] = canonical(k, k.default_value, "default");
    if (file) {
        std::string text;
        try {
            text = read_file(*file);
        } catch (const UsageError &e) {
            throw UsageError(std::string("--config: ") + e.what());
        }
        const YAML::Node root = load_yaml_document(text, file->string());
        if (!root.IsNull() && !root.IsMap()) {
            throw UsageError("config file '" + file->string() + "' must be a YAML mapping of keys");
        }
        std::vector<std::pair<std::string, YAML::Node>> leaves;
        std::map<std::string, int> lines;
        if (root.IsMap()) flatten(root, "", leaves, lines, file->string());
        for (const auto &[key, node] : leaves) cfg.set(key, node_to_text(node), "file '" + file->string() + "'");
    }
    for (const auto &o : overrides) {
        size_t eq = o.find('=');
        if (eq == std::string::npos || eq == 0) {
            throw UsageError("--set expects KEY=VALUE, got '" + printable(o) + "'");
        }
        cfg.set(o.substr(0, eq), o.substr(eq + 1), "--set");
    }
    return cfg;
}

void Config::set(const std::string &key, const std::string &yaml_value, const std::string &origin) {
    const ConfigKey *k = schema_.find(key);
    if (!k) {
        std::string prefix = key.substr(0, key.find('.') + 1), near;
        std::vector<std::string> names, leaves;
        for (const auto &c : schema_.keys()) {
            names.push_back(c.name);
            if (!prefix.empty() && c.name.rfind(prefix, 0) == 0) {
                near += (near.empty() ? "" : ", ") + c.name;
                leaves.push_back(c.name.substr(prefix.size()));
            }
        }
        // A known section: the nearest keys of that section by their own names (a shared "sweep." would let
        // any three-letter name pass for 'sweep.zzz'); an unknown one: the nearest whole keys.
        std::string guess;
        if (leaves.empty()) {
            guess = did_you_mean(key, names);
        } else {
            for (const auto &leaf : nearest_names(key.substr(prefix.size()), leaves))
                guess += (guess.empty() ? " did you mean '" : " or '") + prefix + leaf + "'";
            if (!guess.empty()) guess += "?";
        }
        throw UsageError(fmt::format("unknown config key '{}' ({}){}{}", printable(key), origin,
                                     guess.empty() ? "" : ";" + guess,
                                     near.empty()    ? ""
                                     : guess.empty() ? "; keys under '" + prefix + "': " + near
                                                     : " (keys under '" + prefix + "': " + near + ")"));
    }
    values_[key] = canonical(*k, yaml_value, origin);
}

const std::string &Config::raw(const std::string &key, ValueType expected) const {
    const ConfigKey *k = schema_.find(key);
    if (!k || k->type != expected) {
        throw std::logic_error("programming error: config key '" + key + "' read with the wrong type or not declared");
    }
    return values_.at(key);
}

double Config::get_double(const std::string &key) const {
    return std::stod(raw(key, ValueType::Double));
}
int64_t Config::get_int(const std::string &key) const {
    return std::stoll(raw(key, ValueType::Int));
}
bool Config::get_bool(const std::string &key) const {
    return raw(key, ValueType::Bool) == "true";
}
std::string Config::get_string(const std::string &key) const {
    return raw(key, ValueType::String);
}

std::vector<double> Config::get_double_list(const std::string &key) const {
    YAML::Node n = YAML::Load(raw(key, ValueType::DoubleList));
    std::vector<double> out;
    for (const auto &e : n) out.push_back(std::stod(e.Scalar()));
    return out;
}
std::vector<int64_t> Config::get_int_list(const std::string &key) const {
    YAML::Node n = YAML::Load(raw(key, ValueType::IntList));
    std::vector<int64_t> out;
    for (const auto &e : n) out.push_back(std::stoll(e.Scalar()));
    return out;
}

std::string Config::to_yaml() const {
    // Rebuild the nesting from the dotted keys, in schema order.
    YAML::Node root(YAML::NodeType::Map);
    for (const auto &k : schema_.keys()) {
        std::vector<std::string> parts;
        size_t start = 0, dot;
        while ((dot = k.name.find('.', start)) != std::string::npos) {
            parts.push_back(k.name.substr(start, dot - start));
            start = dot + 1;
        }
        parts.push_back(k.name.substr(start));
        std::vector<YAML::Node> chain{root};
        for (size_t p = 0; p + 1 < parts.size(); ++p) chain.push_back(chain.back()[parts[p]]);
        const std::string &text = values_.at(k.name);
        YAML::Node value =
            (k.type == ValueType::DoubleList || k.type == ValueType::IntList) ? YAML::Load(text) : YAML::Node(text);
        if (value.IsSequence()) value.SetStyle(YAML::EmitterStyle::Flow);
        chain.back()[parts.back()] = value;
    }
    YAML::Emitter e;
    e << root;
    return std::string(e.c_str()) + "\n";
}

} // namespace tdlab
