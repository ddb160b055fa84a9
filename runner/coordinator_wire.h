#pragma once
// The messages between the coordinator (world rank 0) and the worker group
// leaders, as byte strings of length-prefixed fields.
#include <mpi.h>

#include <string>

#include "jobs/job_spec.h"
#include "jobs/sweep_index.h"

namespace nar::runner {

// A job assignment (also what a leader broadcasts inside its group).
std::string encode_job(int index, const jobs::JobSpec& spec);
jobs::JobSpec decode_job(const std::string& bytes, int* index);

// A leader's request for work, carrying the report of its previous job
// (job_index -1: no previous job).
struct JobReport {
    int job_index = -1;
    jobs::JobStatus state = jobs::JobStatus::failed;  // done, failed or interrupted
    std::string metric_name;
    double metric_value = 0;
    double wall_seconds = 0;
    std::string host;
    std::string error;
};
std::string encode_report(const JobReport& r);
JobReport decode_report(const std::string& bytes);

// Byte strings over MPI: point to point (recv_bytes probes for the length and
// reports the sender), and a broadcast from rank 0 of `comm`.
void send_bytes(const std::string& s, int dest, int tag, MPI_Comm comm);
std::string recv_bytes(int source, int tag, MPI_Comm comm, int* from);
void bcast_bytes(std::string& s, MPI_Comm comm);

}  // namespace nar::runner
