// The tdlab version and the git commit the build was configured from (recorded in every manifest.json,
// report and `tdlab --version`). Both live in one generated source file (BUILD/generated/version.cpp,
// from src/core/version.cpp.in), so that a new commit recompiles that file only, not every file that
// would otherwise see them as compile definitions.
#pragma once

namespace tdlab {

const char *version();    // e.g. "0.3.0"
const char *git_commit(); // short hash, or "unknown" outside a git checkout

} // namespace tdlab
