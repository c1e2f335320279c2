// Configuration and outputs of `tdlab dmft basins` and `tdlab dmft continuation`: the config keys
// (basins.*, continuation.*), the start region they describe, and the files a run writes:
//   attractors.csv  id,label,period,lambda_1,count,m1_min,m1_max,state (one row per attractor; state =
//                   the representative final context, attractor_<id>.yaml)
//   fractions.csv   id,count,fraction,wilson_lo,wilson_hi (Wilson 95%)
//   continuation:   attractors.csv with value,id,track,... per value, tracks.csv
//                   (track,first_value,last_value,values,periods,born,died)
#pragma once

#include "core/config.h"
#include "dmft/continuation.h"

#include <filesystem>
#include <string>

namespace tdlab::dmft {

ConfigSchema basins_schema();       // basins.* (region, samples, seed, tolerances)
ConfigSchema continuation_schema(); // continuation.* (param, min, max, count, match_distance)

BasinsOptions basins_options_from(const Config &cfg); // dmft.steps / dmft.transient and basins.*
// The region named by basins.region; `map` resolves basins.center (cold | fig3a | zoom | a file).
// UsageError naming the key or file on a bad value (a starts array of the wrong width, a missing file).
StartRegion region_from(const Config &cfg, MeanFieldMap &map);

void write_basins(const std::filesystem::path &dir, const BasinsResult &r);
void write_continuation(const std::filesystem::path &dir, const ContinuationResult &r, const std::string &param);

} // namespace tdlab::dmft
