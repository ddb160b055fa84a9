#include "common/heap.h"

// <cstdlib> first: it defines __GLIBC__ (through <features.h>). Without it the
// #if below was false and the function compiled to nothing.
#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace nar::common {

bool keep_freed_memory_in_heap() {
#if defined(__GLIBC__)
    // Fixed thresholds also switch off glibc's dynamic mmap threshold.
    return mallopt(M_MMAP_THRESHOLD, 1 << 30) == 1 && mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1;
#else
    return false;
#endif
}

}  // namespace nar::common
