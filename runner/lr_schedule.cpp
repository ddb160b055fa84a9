#include "runner/lr_schedule.h"

#include <algorithm>
#include <cmath>

namespace nar::runner {

LrSchedule::LrSchedule(double peak, int64_t total_steps, double warmup_fraction)
    : peak_(peak),
      total_(std::max<int64_t>(total_steps, 1)),
      warmup_(static_cast<int64_t>(std::llround(warmup_fraction * static_cast<double>(total_)))) {}

double LrSchedule::at(int64_t step) const {
    if (step < warmup_) return peak_ * static_cast<double>(step) / static_cast<double>(warmup_);
    if (step >= total_) return 0.0;
    return peak_ * static_cast<double>(total_ - step) / static_cast<double>(total_ - warmup_);
}

}  // namespace nar::runner
