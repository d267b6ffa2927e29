#define _GNU_SOURCE
#include <dlfcn.h>
#include "CNumerics.h"

const char *cnumerics_symbol_library(const char *symbol) {
    void *address = dlsym(RTLD_DEFAULT, symbol);
    if (address == NULL) return "";
    Dl_info info;
    if (dladdr(address, &info) == 0 || info.dli_fname == NULL) return "";
    return info.dli_fname;
}

const char *cnumerics_sgemm_library(void) {
    // Ask about the address the program itself calls, not only the dynamic lookup by name.
    void *address = (void *)&cblas_sgemm;
    Dl_info info;
    if (dladdr(address, &info) == 0 || info.dli_fname == NULL) return "";
    return info.dli_fname;
}

const char *cnumerics_gsl_version(void) { return gsl_version; }

void cnumerics_gsl_disable_abort(void) { gsl_set_error_handler_off(); }
