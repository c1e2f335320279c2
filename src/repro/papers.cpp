// The papers `tdlab reproduce` knows, in `reproduce all` order, and the config they record.
#include "repro/reproduce.h"

#include "repro/claims.h"

#include <chrono>
#include <cstdio>

namespace tdlab::repro {

ConfigSchema reproduce_schema() {
    ConfigSchema schema;
    schema.add_string("scale", "quick", {"quick", "paper"}, "quick or paper");
    return schema;
}

const std::vector<Paper> &papers() {
    static const std::vector<Paper> list{
        {"dmft", "Figs 3a, 3b, 4, 5 of the DMFT paper + Lyapunov panels + census", reproduce_dmft},
        {"dmft-multistate", "DMFT with ternary / Potts tokens: Fig 3a/3b analogues, planes, weak field, finite N",
         reproduce_dmft_multistate, false},
        {"birth", "Fig 3 (freezing), Fig 4 (data variants, probes), attention maps", reproduce_birth},
        {"scansnap", "Scan and Snap: Figs 3, 4, 5, 6, 8, 9, 11, 12, the entropy table and theory overlays",
         reproduce_scansnap},
    };
    return list;
}

void reproduce_papers(const std::vector<const Paper *> &chosen, const std::filesystem::path &root,
                      const std::string &scale, int threads, bool force, int seeds) {
    const auto t0 = std::chrono::steady_clock::now();
    for (const auto *p : chosen) {
        std::fprintf(stderr, "tdlab reproduce %s --scale %s -> %s\n", p->name.c_str(), scale.c_str(),
                     (root / p->name).c_str());
        p->run({scale, root / p->name, threads, force, seeds});
    }
    std::vector<std::pair<std::string, std::filesystem::path>> dirs;
    for (const auto &p : papers())
        if (p.claims) dirs.push_back({p.name, root / p.name});
    write_claims_index(root, dirs, scale, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    std::fprintf(stderr, "claims of every paper: %s\n", (root / "index.html").c_str());
}

} // namespace tdlab::repro
