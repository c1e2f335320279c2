// Which OpenBLAS kernels this process runs. OpenBLAS picks them once, when the library is loaded, from the
// CPU or from OPENBLAS_CORETYPE (the build machines set OPENBLAS_CORETYPE=Haswell; without it the same
// CPU gets the AVX-512 "Cooperlake" kernels, a Scan and Snap run is then 25% faster). The last bits of
// BLAS products depend on the kernels, so every manifest.json records them ("blas_core").
#pragma once

#include <string>

namespace tdlab {

// OpenBLAS's name for the kernels in use ("Haswell", "SkylakeX", "Cooperlake", ...).
std::string blas_core_name();

} // namespace tdlab
