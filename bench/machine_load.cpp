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

Work OtherWork::stop() const {
    const double wall = wall_seconds() - wall_s_;
    if (wall <= 0) return {};
    const CpuSeconds now = cpu_seconds();
    const double other = (now.busy - busy_s_) - (self_seconds() - self_s_);
    return {std::max(0.0, other / wall), std::max(0.0, (now.steal - steal_s_) / wall)};
}

}  // namespace nar::bench
