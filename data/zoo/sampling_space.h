#pragma once
// nn-Meter's generator spaces (data/bundled/nnmeter-generator/<family>.yaml): per
// dimension either a list of choices or a start/end/step range. Only that YAML
// subset is read; anything else is an error naming the file and line.
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace nar::data::zoo {

struct SamplingSpace {
    std::string family;                               // model_family
    std::vector<std::string> model_ids;               // modelids ([] when absent)
    std::map<std::string, std::vector<double>> dims;  // sample_space: name -> choices
    // The choices of `name`; throws common::Error naming the file when absent.
    const std::vector<double>& choices(const std::string& name) const;
    std::string path;
};

SamplingSpace read_sampling_space(const std::string& path);

// The bundled space of an nn-Meter family (file <family>.yaml).
SamplingSpace bundled_sampling_space(const std::string& family);

// Deterministic draws: mt19937_64's output sequence is fixed by the standard, and the
// reduction to an index is ours (std distributions differ between libraries).
class Sampler {
  public:
    explicit Sampler(uint64_t seed) : rng_(seed) {}
    size_t index(size_t n) { return static_cast<size_t>(rng_() % n); }
    double pick(const std::vector<double>& choices) { return choices.at(index(choices.size())); }

  private:
    std::mt19937_64 rng_;
};

}  // namespace nar::data::zoo
