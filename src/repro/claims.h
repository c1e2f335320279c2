// The claims table of a reproduction: each claim of a paper, the value this run measured, the rule that
// decides agreement, and a verdict computed from the run (docs/claims.md). Every paper's reproduction
// writes OUT/<paper>/claims.json and shows the table at the top of its report.html; `tdlab reproduce all`
// gathers the three into OUT/index.html and OUT/claims.json.
#pragma once

#include "plot/report.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace tdlab::repro {

// holds: the run agrees, at the paper's scale (or the claim does not depend on scale);
// holds_at_this_scale: the run agrees, at a reduced scale (--scale quick) only;
// contradicted: the run disagrees (the measured text says at which scale);
// not_run: nothing in this reproduction measures it (the text says why).
enum class Verdict { Holds, HoldsAtThisScale, Contradicted, NotRun };

std::string verdict_name(Verdict v); // "holds", "holds at this scale only", "contradicted", "not run"

struct Claim {
    std::string id;       // stable key, e.g. "fig3a.periodic_low_beta"
    std::string figure;   // where the paper makes it, e.g. "Fig 3a", "Sec. 6"
    std::string claim;    // the paper's statement (in our words)
    std::string measured; // what this run measured, with numbers
    std::string rule;     // the rule that decides agreement
    Verdict verdict = Verdict::NotRun;
    std::optional<double> value; // the deciding number, when there is one
};

// The verdict of a rule: OK at full scale -> holds; at a reduced scale -> holds at this scale only.
Verdict judge(bool ok, bool paper_scale);

// P(X >= k) for X ~ Binomial(n, p): how likely a probe recalls k of n items by chance (p = 1 / keys).
double binomial_tail(int k, int n, double p);

// A claim that this reproduction does not measure, with the reason.
Claim not_run(std::string id, std::string figure, std::string claim, std::string why);

nlohmann::json claims_to_json(const std::string &paper, const std::vector<Claim> &claims);
// The HTML table (claim, measured, rule, verdict) with a one-line count of each verdict above it.
std::string claims_table_html(const std::vector<Claim> &claims);
// OUT/<paper>/claims.json (atomic).
void write_claims(const std::filesystem::path &path, const std::string &paper, const std::vector<Claim> &claims);

// The report's first sections: what was run (the command, scale, threads, seeds, wall time, how to
// regenerate a figure) and the claims table.
ReportSection about_section(const std::string &paper, const std::string &scale, int threads, double seconds,
                            const std::string &seeds);
ReportSection claims_section(const std::vector<Claim> &claims);

// `reproduce all`: OUT/index.html (the three tables, links to each report) and OUT/claims.json, from the
// papers' claims.json files (`papers`: name and run directory). Papers without claims.json are listed
// as missing.
void write_claims_index(const std::filesystem::path &out,
                        const std::vector<std::pair<std::string, std::filesystem::path>> &papers,
                        const std::string &scale, double seconds);

} // namespace tdlab::repro
