#pragma once
// Is anything else running? A benchmark on a shared machine measures the other
// jobs; these read /proc to say how much other work there was.
#include <string>

namespace nar::bench {

double load_average_1min();  // /proc/loadavg; -1 when unreadable
double process_cpu_ms();     // CPU time of this process so far, all threads

// Between start() and stop(), in cores (CPU seconds per wall second).
struct Work {
    // All processes but this one: (busy jiffies of the machine - this
    // process's CPU time) / wall; 0 on an idle machine.
    double other = 0;
    // Time a VM's host ran something else while this guest had work ("steal"
    // in /proc/stat): the guest's own tools cannot see it.
    double stolen = 0;
};

class OtherWork {
  public:
    void start();
    Work stop() const;

  private:
    double busy_s_ = 0, steal_s_ = 0, self_s_ = 0, wall_s_ = 0;
};

}  // namespace nar::bench
