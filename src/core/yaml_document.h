// One strict way to read a YAML file, shared by the config loader and the checkpoint (context) reader
// so that they accept and refuse the same things. yaml-cpp keeps both copies of a repeated key (and
// a lookup sees the first while an iteration sees both), and ignores further documents after '---':
// both are silent ambiguities, so both are refused here.
#pragma once

#include <string>
#include <yaml-cpp/yaml.h>

namespace tdlab {

// Parses `text` (from `file`, named in errors). UsageError naming the file and line on a syntax error,
// on more than one document, on a key repeated in one mapping, or on a non-scalar key. An empty text
// gives a null node.
YAML::Node load_yaml_document(const std::string &text, const std::string &file);

// The 1-based line of a node, for messages.
int yaml_line(const YAML::Node &node);

// Text from a file quoted in a message: control characters shown as '?' (a NUL would cut the message,
// and the file name after it, short) and at most `max` characters.
std::string printable(const std::string &text, size_t max = 80);

} // namespace tdlab
