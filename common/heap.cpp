#include "common/heap.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace nar::common {

void keep_freed_memory_in_heap() {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

}  // namespace nar::common
