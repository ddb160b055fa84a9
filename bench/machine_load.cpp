#include "bench/machine_load.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

namespace nar::bench {

namespace {

struct CpuSeconds {
    double busy = 0, steal = 0;
};

// The machine's line of /proc/stat (all CPUs); zeros when unreadable.
CpuSeconds cpu_seconds() {
    std::ifstream in("/proc/stat");
    std::string cpu;
    long long user = 0, nice = 0, sys = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    if (!(in >> cpu >> user >> nice >> sys >> idle >> iowait >> irq >> softirq >> steal)) return {};
    const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
    return {(user + nice + sys + irq + softirq) / tick, steal / tick};
}

double self_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + 1e-6 * (u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

double wall_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace

double process_cpu_ms() { return 1000.0 * self_seconds(); }

double load_average_1min() {
    std::ifstream in("/proc/loadavg");
    double l = -1;
    in >> l;
    return l;
}

void OtherWork::start() {
    const CpuSeconds now = cpu_seconds();
    busy_s_ = now.busy;
    steal_s_ = now.steal;
    self_s_ = self_seconds();
    wall_s_ = wall_seconds();
}

double OtherWork::stop() const {
    const double wall = wall_seconds() - wall_s_;
    if (wall <= 0) return 0;
    const double other = (cpu_seconds().busy - busy_s_) - (self_seconds() - self_s_);
    return std::max(0.0, other / wall);
}

double OtherWork::stolen() const {
    const double wall = wall_seconds() - wall_s_;
    return wall > 0 ? std::max(0.0, (cpu_seconds().steal - steal_s_) / wall) : 0;
}

}  // namespace nar::bench
