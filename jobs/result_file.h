#pragma once
// One HDF5 file per job. Layout (h5py: f.attrs["status"], f["test/predictions"][:]):
//
//   /                      attributes (strings unless noted):
//                            job_id, study, status ("done"|"failed"), error,
//                            seed (int64), config_hash, start_time, end_time (ISO 8601 UTC),
//                            wall_seconds (float64), ranks (int64), device, host,
//                            code_version, blas_core, gemm_library (what ran the float32
//                            products: "oneDNN x.y.z" or "BLAS"), attempt (int64), best_epoch
//                            (int64, 0-based, -1 if none), epochs_done (int64), val_metric_name
//   /config                scalar string: the resolved config, "key=value" lines
//   /test/predictions      float64 [n]  model predictions on the test split
//   /test/targets          float64 [n]  ground truth (latency ms or accuracy)
//   /test/groups           string  [n]  family / device / "" per sample
//   /test/sample_ids       int64   [n]  index of each sample in its data set
//   /epochs/train_loss     float64 [epochs_done]
//   /epochs/val_metric     float64 [epochs_done]  (val_metric_name: "mape" or "kendall_tau")
//   /epochs/lr             float64 [epochs_done]  learning rate at the end of each epoch
//   /metrics               group; one float64 attribute per metric (fractions):
//                            mape, acc10, acc5, acc1, kendall_tau, n, ...
//   /group_metrics/<group> group per sample group; float64 attributes as /metrics.
//                          In <group>, '%' and '/' are written as %25 and %2F and the
//                          empty label as "%".
//
// The file is written to "<path>.tmp" and renamed into place only when complete,
// so a file at <path> is always whole; a left-over "<path>.tmp" is ignored.
#include <string>

#include "jobs/job_result.h"

namespace nar::jobs {

// Creates parent directories. Throws common::Error (and leaves no file at path,
// nor a .tmp) when writing fails; an older file at path stays untouched.
void write_result(const std::string& path, const JobResult& result);

// Throws common::Error naming the file when it is missing or not a result file.
JobResult read_result(const std::string& path);

// True when path exists, opens as HDF5 and carries the root "status" attribute.
bool result_is_complete(const std::string& path);

}  // namespace nar::jobs
