// keep_freed_memory_in_heap (common/heap.h): a large block comes from the heap,
// not from its own mmap, and stays in the heap once freed. It compiled to an
// empty function for a while, and every step page-faulted its activations afresh.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

#include "common/heap.h"

#if defined(__GLIBC__)
#include <malloc.h>

TEST(Heap, LargeBlocksStayInTheHeap) {
    ASSERT_TRUE(nar::common::keep_freed_memory_in_heap());
    constexpr size_t kBytes = 48u << 20;  // above glibc's largest dynamic mmap threshold
    const size_t mapped0 = mallinfo2().hblkhd;
    auto* p = static_cast<char*>(std::malloc(kBytes));
    ASSERT_NE(p, nullptr);
    std::memset(p, 1, kBytes);
    EXPECT_EQ(mallinfo2().hblkhd, mapped0) << "the block was mmapped on its own";
    const size_t heap_in_use = mallinfo2().arena;
    std::free(p);
    EXPECT_EQ(mallinfo2().arena, heap_in_use) << "the heap was trimmed after free";
}
#endif
