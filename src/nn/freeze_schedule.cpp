#include "nn/freeze_schedule.h"

#include "core/error.h"

#include <sstream>

namespace tdlab::nn {

namespace {
std::string trim(const std::string &s) {
    size_t a = s.find_first_not_of(" \t\n"), b = s.find_last_not_of(" \t\n");
    return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}
} // namespace

FreezeSchedule FreezeSchedule::parse(const std::string &spec) {
    FreezeSchedule fs;
    std::stringstream ss(spec);
    std::string item;
    while (std::getline(ss, item, ',')) {
        item = trim(item);
        if (item.empty()) continue;
        size_t colon = item.find(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == item.size())
            throw UsageError("freeze_until: item '" + item + "' is not ITER:PARAM_NAME");
        std::string it = trim(item.substr(0, colon));
        int64_t iter = 0;
        try {
            size_t used = 0;
            iter = std::stoll(it, &used);
            if (used != it.size()) throw std::invalid_argument(it);
        } catch (const std::exception &) {
            throw UsageError("freeze_until: iteration '" + it + "' in item '" + item + "' is not an integer");
        }
        if (iter < 0) throw UsageError("freeze_until: negative iteration in item '" + item + "'");
        fs.add(trim(item.substr(colon + 1)), iter);
    }
    return fs;
}

void FreezeSchedule::add(const std::string &name, int64_t thaw_iter) {
    for (auto &e : entries_)
        if (e.first == name) {
            e.second = thaw_iter;
            return;
        }
    entries_.emplace_back(name, thaw_iter);
}

int64_t FreezeSchedule::thaw_iter(const std::string &name) const {
    for (const auto &e : entries_)
        if (e.first == name) return e.second;
    return 0;
}

void FreezeSchedule::apply(ParameterSet &params, int64_t iter) const {
    for (const auto &e : entries_) params.at(e.first); // UsageError naming an unknown parameter
    for (auto &p : params.all()) p.requires_grad = p.trainable && iter >= thaw_iter(p.name);
}

} // namespace tdlab::nn
