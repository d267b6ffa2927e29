// CNumerics: the project's single window onto C numerics.
//
// GSL's headers provide the CBLAS prototypes (gsl_cblas.h) so that no Swift module ever sees both
// OpenBLAS's cblas.h and GSL's gsl_cblas.h (they define the same enums differently). The library
// that actually answers cblas_* calls is OpenBLAS: Package.swift links it before gsl, and
// cnumerics_symbol_library() lets a test prove it (dladdr on the resolved symbol).
#ifndef CNUMERICS_H
#define CNUMERICS_H

#include <stddef.h>
#include <gsl/gsl_cblas.h>
#include <gsl/gsl_version.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_vector.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_multiroots.h>
#include <gsl/gsl_min.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_statistics_double.h>

// OpenBLAS extensions (declared here, not via OpenBLAS's cblas.h, to avoid the header clash).
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_config(void);
char *openblas_get_corename(void);

/// Path of the shared object that defines cblas_sgemm as resolved by the loader ("" if unknown).
const char *cnumerics_sgemm_library(void);
/// Path of the shared object that defines the named dynamic symbol ("" if not found).
const char *cnumerics_symbol_library(const char *symbol);
/// GSL's version string, e.g. "2.7.1".
const char *cnumerics_gsl_version(void);
/// Turns GSL's abort-on-error handler off so that Swift can report errors by status code.
void cnumerics_gsl_disable_abort(void);

// GSL's rng and minimiser types are C globals; Swift 6 strict concurrency rejects direct use,
// so they are returned from functions.
static inline const gsl_rng_type *cnumerics_rng_mt19937(void) { return gsl_rng_mt19937; }
static inline const gsl_multimin_fdfminimizer_type *cnumerics_multimin_bfgs2(void) { return gsl_multimin_fdfminimizer_vector_bfgs2; }
static inline const gsl_multimin_fdfminimizer_type *cnumerics_multimin_conjugate_pr(void) { return gsl_multimin_fdfminimizer_conjugate_pr; }
static inline const gsl_multimin_fminimizer_type *cnumerics_multimin_nmsimplex2(void) { return gsl_multimin_fminimizer_nmsimplex2; }
static inline const gsl_min_fminimizer_type *cnumerics_min_brent(void) { return gsl_min_fminimizer_brent; }
static inline const gsl_root_fsolver_type *cnumerics_root_brent(void) { return gsl_root_fsolver_brent; }
static inline const gsl_multiroot_fsolver_type *cnumerics_multiroot_hybrids(void) { return gsl_multiroot_fsolver_hybrids; }

// Eight exactly rounded fused multiply-adds c + a·b as one vector operation (llvm.fma.v8f32): a vfmadd
// where the code generation has FMA, eight correctly rounded fmaf results where it has not (the same
// bits). Swift's SIMD8.addingProduct is a loop over lanes that LLVM must vectorise again, and in long
// chains (the exponential's polynomial) it left part of it as scalar FMAs and lane blends (docs/kernels.md).
typedef float cnumerics_float8 __attribute__((ext_vector_type(8)));
static inline __attribute__((always_inline)) cnumerics_float8 cnumerics_fma8(cnumerics_float8 c, cnumerics_float8 a,
                                                                             cnumerics_float8 b) {
    return __builtin_elementwise_fma(a, b, c);
}

// A hint to fetch the cache line at p into every cache level for reading (no effect on any result).
static inline __attribute__((always_inline)) void cnumerics_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

#endif
