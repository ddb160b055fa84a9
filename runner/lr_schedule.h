#pragma once
#include <cstdint>

namespace nar::runner {

// Linear warm-up from 0 over the first `warmup` optimiser steps to `peak`, then
// linear decay to 0 at step `total` (the schedule of the authors' runs; the same
// shape as transformers' get_linear_schedule_with_warmup). `step` is the 0-based
// index of the optimiser step about to be taken.
class LrSchedule {
  public:
    LrSchedule(double peak, int64_t total_steps, double warmup_fraction);
    double at(int64_t step) const;
    int64_t total_steps() const { return total_; }
    int64_t warmup_steps() const { return warmup_; }

  private:
    double peak_;
    int64_t total_;
    int64_t warmup_;
};

}  // namespace nar::runner
