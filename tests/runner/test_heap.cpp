// keep_freed_memory_in_heap (common/heap.h): a large block comes from the heap,
// not from its own mmap, and stays in the heap once freed. It compiled to an
// empty function for a while, and every step page-faulted its activations afresh.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

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

namespace {

// AnonHugePages of this process, in kB (-1 where the kernel does not say).
long anon_huge_kb() {
    std::ifstream in("/proc/self/smaps_rollup");
    const std::string key = "AnonHugePages:";
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(key, 0) == 0) return std::stol(line.substr(key.size()));
    }
    return -1;
}

}  // namespace

// nar's start-up setting GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (common/startup_env.h;
// tests/runner/blas.cmake runs these tests with it, as nar's re-exec would): a large
// heap block is then backed by transparent huge pages, even where the kernel
// leaves them to madvise.
TEST(Heap, HugePagesUnderNarsTunable) {
    const char* tunables = std::getenv("GLIBC_TUNABLES");
    ASSERT_NE(tunables, nullptr);
    ASSERT_NE(std::string(tunables).find("glibc.malloc.hugetlb=1"), std::string::npos);
    std::ifstream thp("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string mode((std::istreambuf_iterator<char>(thp)), std::istreambuf_iterator<char>());
    if (mode.empty() || mode.find("[never]") != std::string::npos) {
        GTEST_SKIP() << "transparent huge pages are off in this kernel";
    }
    ASSERT_TRUE(nar::common::keep_freed_memory_in_heap());
    const long before = anon_huge_kb();
    ASSERT_GE(before, 0) << "no AnonHugePages in /proc/self/smaps_rollup";
    // 64 MB more than the heap holds free, so that much is new to the process
    // (memory the heap already had keeps the pages it was faulted with).
    constexpr size_t kNew = 64u << 20;
    const size_t bytes = mallinfo2().fordblks + kNew;
    auto* p = static_cast<char*>(std::malloc(bytes));
    ASSERT_NE(p, nullptr);
    std::memset(p, 1, bytes);
    const long after = anon_huge_kb();
    std::free(p);
    // Most of it: the new memory's ends need not fill whole 2 MB pages.
    EXPECT_GE(after - before, static_cast<long>(kNew / 1024 / 2));
}
#endif
