#include "runner/coordinator_wire.h"

#include <mpi.h>

#include <cstdio>
#include <cstdlib>

#include "common/error.h"

namespace nar::runner {

namespace {

// Field = "<decimal length>:<bytes>"; numbers travel as %.17g text so doubles
// round-trip exactly.
void put(std::string& out, const std::string& field) {
    out += std::to_string(field.size());
    out += ':';
    out += field;
}

std::string num(double v) {
    char buf[40];
    std::snprintf(buf, sizeof(buf), "%.17g", v);
    return buf;
}

class Reader {
  public:
    explicit Reader(const std::string& s) : s_(s) {}
    std::string next() {
        size_t colon = s_.find(':', pos_);
        if (colon == std::string::npos) throw common::Error("coordinator message truncated");
        size_t len = std::strtoull(s_.c_str() + pos_, nullptr, 10);
        if (colon + 1 + len > s_.size()) throw common::Error("coordinator message truncated");
        std::string field = s_.substr(colon + 1, len);
        pos_ = colon + 1 + len;
        return field;
    }
    double next_double() { return std::strtod(next().c_str(), nullptr); }
    long long next_int() { return std::strtoll(next().c_str(), nullptr, 10); }
    unsigned long long next_uint() { return std::strtoull(next().c_str(), nullptr, 10); }

  private:
    const std::string& s_;
    size_t pos_ = 0;
};

}  // namespace

std::string encode_job(int index, const jobs::JobSpec& spec) {
    std::string out;
    put(out, std::to_string(index));
    put(out, spec.id);
    put(out, std::to_string(spec.seed));
    put(out, spec.config_hash);
    put(out, spec.result_path);
    put(out, num(spec.cost_estimate));
    put(out, std::to_string(spec.params.size()));
    for (const auto& [k, v] : spec.params) {
        put(out, k);
        put(out, v);
    }
    return out;
}

jobs::JobSpec decode_job(const std::string& bytes, int* index) {
    Reader r(bytes);
    jobs::JobSpec spec;
    const int idx = static_cast<int>(r.next_int());
    if (index != nullptr) *index = idx;
    spec.id = r.next();
    spec.seed = r.next_uint();
    spec.config_hash = r.next();
    spec.result_path = r.next();
    spec.cost_estimate = r.next_double();
    const long long n = r.next_int();
    for (long long i = 0; i < n; ++i) {
        std::string k = r.next();
        spec.params[k] = r.next();
    }
    return spec;
}

std::string encode_report(const JobReport& rep) {
    std::string out;
    put(out, std::to_string(rep.job_index));
    put(out, jobs::to_string(rep.state));
    put(out, rep.metric_name);
    put(out, num(rep.metric_value));
    put(out, num(rep.wall_seconds));
    put(out, rep.host);
    put(out, rep.error);
    return out;
}

JobReport decode_report(const std::string& bytes) {
    Reader r(bytes);
    JobReport rep;
    rep.job_index = static_cast<int>(r.next_int());
    rep.state = jobs::job_status_from_string(r.next());
    rep.metric_name = r.next();
    rep.metric_value = r.next_double();
    rep.wall_seconds = r.next_double();
    rep.host = r.next();
    rep.error = r.next();
    return rep;
}

void send_bytes(const std::string& s, int dest, int tag, MPI_Comm comm) {
    MPI_Send(s.data(), static_cast<int>(s.size()), MPI_CHAR, dest, tag, comm);
}

std::string recv_bytes(int source, int tag, MPI_Comm comm, int* from) {
    MPI_Status st;
    MPI_Probe(source, tag, comm, &st);
    int n = 0;
    MPI_Get_count(&st, MPI_CHAR, &n);
    std::string s(static_cast<size_t>(n), '\0');
    MPI_Recv(s.data(), n, MPI_CHAR, st.MPI_SOURCE, tag, comm, MPI_STATUS_IGNORE);
    if (from != nullptr) *from = st.MPI_SOURCE;
    return s;
}

void bcast_bytes(std::string& s, MPI_Comm comm) {
    long long n = static_cast<long long>(s.size());
    MPI_Bcast(&n, 1, MPI_LONG_LONG, 0, comm);
    s.resize(static_cast<size_t>(n));
    if (n > 0) MPI_Bcast(s.data(), static_cast<int>(n), MPI_CHAR, 0, comm);
}

}  // namespace nar::runner
