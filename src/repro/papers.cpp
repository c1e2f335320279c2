// The papers `tdlab reproduce` knows, in `reproduce all` order, and the config they record.
#include "repro/reproduce.h"

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
         reproduce_dmft_multistate},
        {"birth", "Fig 3 (freezing), Fig 4 (data variants, probes), attention maps", reproduce_birth},
        {"scansnap", "Scan and Snap: Figs 3, 4, 5, 6, 8, 9, 11, 12, the entropy table and theory overlays",
         reproduce_scansnap},
    };
    return list;
}

} // namespace tdlab::repro
