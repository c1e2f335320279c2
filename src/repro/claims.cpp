#include "repro/claims.h"
#include "core/version.h"

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/run_dir.h"
#include "core/warnings.h"
#include "plot/report.h"

#include <cmath>
#include <fmt/format.h>
#include <fstream>
#include <map>

namespace tdlab::repro {

namespace fs = std::filesystem;

namespace {
// Marks the index as tdlab's own, so that a later run may replace it but never a user's index.html.
constexpr const char *kIndexMarker = "<!-- tdlab claims index -->";
const Verdict kAllVerdicts[] = {Verdict::Holds, Verdict::HoldsAtThisScale, Verdict::Contradicted, Verdict::NotRun};

Verdict verdict_from_name(const std::string &name) {
    for (Verdict v : kAllVerdicts)
        if (verdict_name(v) == name) return v;
    throw RuntimeError("claims.json: unknown verdict '" + name + "'");
}

std::string verdict_cell(Verdict v) {
    const char *colour = v == Verdict::Holds              ? "#d9f2d9"
                         : v == Verdict::HoldsAtThisScale ? "#eef7d0"
                         : v == Verdict::Contradicted     ? "#f8d7d7"
                                                          : "#eeeeee";
    return fmt::format("<td style='background:{};text-align:left'><b>{}</b></td>", colour, verdict_name(v));
}
} // namespace

std::string verdict_name(Verdict v) {
    switch (v) {
    case Verdict::Holds: return "holds";
    case Verdict::HoldsAtThisScale: return "holds at this scale only";
    case Verdict::Contradicted: return "contradicted";
    case Verdict::NotRun: return "not run";
    }
    return "not run";
}

Verdict judge(bool ok, bool paper_scale) {
    if (!ok) return Verdict::Contradicted;
    return paper_scale ? Verdict::Holds : Verdict::HoldsAtThisScale;
}

double binomial_tail(int k, int n, double p) {
    double tail = 0;
    for (int j = std::max(k, 0); j <= n; ++j)
        tail += std::exp(std::lgamma(n + 1.0) - std::lgamma(j + 1.0) - std::lgamma(n - j + 1.0) + j * std::log(p) +
                         (n - j) * std::log1p(-p));
    return std::min(tail, 1.0);
}

Claim not_run(std::string id, std::string figure, std::string claim, std::string why) {
    return {std::move(id), std::move(figure), std::move(claim), std::move(why), "-", Verdict::NotRun, std::nullopt};
}

nlohmann::json claims_to_json(const std::string &paper, const std::vector<Claim> &claims) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto &c : claims) {
        nlohmann::json j{{"paper", paper},
                         {"id", c.id},
                         {"figure", c.figure},
                         {"claim", c.claim},
                         {"measured", c.measured},
                         {"rule", c.rule},
                         {"verdict", verdict_name(c.verdict)}};
        j["value"] = c.value ? nlohmann::json(*c.value) : nlohmann::json();
        out.push_back(std::move(j));
    }
    return out;
}

std::string claims_table_html(const std::vector<Claim> &claims) {
    std::map<Verdict, int> count;
    for (const auto &c : claims) count[c.verdict] += 1;
    std::string h = fmt::format("<p>{} claims: {} hold, {} hold at this scale only, {} contradicted, {} not run. "
                                "Each verdict is computed from this run by the rule in its row.</p>",
                                claims.size(), count[Verdict::Holds], count[Verdict::HoldsAtThisScale],
                                count[Verdict::Contradicted], count[Verdict::NotRun]);
    h += "<table><tr><th>where</th><th>the paper's claim</th><th>measured in this run</th><th>rule</th>"
         "<th>verdict</th></tr>\n";
    for (const auto &c : claims)
        h += fmt::format("<tr><td>{}</td><td style='text-align:left'>{}</td><td style='text-align:left'>{}</td>"
                         "<td style='text-align:left'>{}</td>{}</tr>\n",
                         html_escape(c.figure), html_escape(c.claim), html_escape(c.measured), html_escape(c.rule),
                         verdict_cell(c.verdict));
    return h + "</table>\n";
}

void write_claims(const fs::path &path, const std::string &paper, const std::vector<Claim> &claims) {
    write_file_atomic(path, claims_to_json(paper, claims).dump(2) + "\n");
}

ReportSection about_section(const std::string &paper, const std::string &scale, int threads, double seconds,
                            const std::string &seeds) {
    return {"About this run",
            fmt::format("<p>Command: <code>tdlab reproduce {0} --scale {1} --threads {2} --out OUT</code> "
                        "(OUT/{0} is this folder). Scale: <b>{1}</b>. Threads: {2}. Seeds: {3}. Wall time: "
                        "{4:.1f} s.</p><p>Every figure is a gnuplot script beside its data: the caption under each "
                        "image gives the command that redraws it from this folder, without rerunning anything. "
                        "config.yaml and manifest.json record the settings, the version and the timings. The "
                        "verdicts below are computed from this run.</p>",
                        html_escape(paper), html_escape(scale), threads, html_escape(seeds), seconds),
            {}};
}

ReportSection claims_section(const std::vector<Claim> &claims) {
    return {"Claims of the paper and what this run measured", claims_table_html(claims), {}};
}

void write_claims_index(const fs::path &out, const std::vector<std::pair<std::string, fs::path>> &papers,
                        const std::string &scale, double seconds) {
    const fs::path index = out / "index.html";
    std::error_code ec;
    if (fs::exists(index, ec)) {
        std::ifstream in(index);
        std::string first;
        std::getline(in, first);
        if (first.find(kIndexMarker) == std::string::npos) {
            warn("'" + index.string() +
                 "' exists and was not written by tdlab: index.html and claims.json not written");
            return;
        }
    }
    nlohmann::json all = nlohmann::json::array();
    std::string body;
    for (const auto &[name, dir] : papers) {
        const fs::path file = dir / "claims.json";
        body += "<h2>" + html_escape(name) + "</h2>\n";
        if (!fs::exists(file, ec)) {
            body += "<p>Not reproduced in this folder (no " + html_escape(file.filename().string()) + ").</p>\n";
            continue;
        }
        const auto j = nlohmann::json::parse(read_file(file));
        std::vector<Claim> claims;
        for (const auto &c : j) {
            Claim k{c.at("id"),       c.at("figure"), c.at("claim"),
                    c.at("measured"), c.at("rule"),   verdict_from_name(c.at("verdict")),
                    std::nullopt};
            if (c.contains("value") && c["value"].is_number()) k.value = c["value"].get<double>();
            claims.push_back(std::move(k));
            all.push_back(c);
        }
        const std::string rel = fs::relative(dir, out, ec).string();
        body += "<p><a href='" + html_escape(rel) + "/report.html'>" + html_escape(rel) +
                "/report.html</a>: the figures, tables and the commands that regenerate them.</p>\n" +
                claims_table_html(claims);
    }
    write_file_atomic(out / "claims.json", all.dump(2) + "\n");
    std::string html = std::string(kIndexMarker) +
                       "\n<!doctype html>\n<html><head><meta charset='utf-8'><title>tdlab: claims of the three "
                       "papers</title>\n<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;"
                       "line-height:1.45}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px "
                       "8px;vertical-align:top}</style></head><body>\n<h1>tdlab: what each paper claims and what "
                       "this run measured</h1>\n" +
                       fmt::format("<p><small>tdlab {} ({}), {}; scale {}; {:.0f} s. "
                                   "Machine-readable: <a href='claims.json'>claims.json</a>.</small></p>\n",
                                   version(), git_commit(), utc_now_iso(), html_escape(scale), seconds) +
                       body + "</body></html>\n";
    write_file_atomic(index, html);
}

} // namespace tdlab::repro
