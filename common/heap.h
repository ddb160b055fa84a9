#pragma once
// Keeps freed buffers in the process heap (glibc). Otherwise glibc returns
// large freed blocks to the OS, and every training step page-faults tens of MB
// of activations afresh (~35% of a latency step's CPU time, measured with
// perf). Called at the start of nar and of the benchmarks.
namespace nar::common {

// True where the allocator took the settings (glibc).
bool keep_freed_memory_in_heap();

}  // namespace nar::common
