// Metrics: counters, gauges and histograms with labels, rendered in the
// Prometheus text exposition format (version 0.0.4) for GET /metrics.
//
// A family is a metric name with its help text and type; each distinct set
// of label values is one series of it. Get* returns the series, creating
// the family and the series on first use; the pointer stays valid for the
// registry's life, so hot paths look a series up once and keep it.
// Asking for an existing name with another type or other buckets returns
// the existing family's series unchanged (a programming error, not fatal).
//
// Names must match [a-zA-Z_:][a-zA-Z0-9_:]*; label values are escaped on
// output (backslash, double quote, newline).
//
// Thread safety: every method may be called from any thread; updates to a
// series are lock-free (atomics), Render takes the registry's lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Inc(double by = 1);  // by >= 0
  double Value() const;

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double value);
  void Add(double by);
  double Value() const;

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // `bounds`: the upper bounds of the buckets, ascending; +Inf is implied.
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);

  const std::vector<double>& bounds() const { return bounds_; }
  // Cumulative count of observations <= bounds()[i]; i == bounds().size(): all.
  uint64_t CumulativeCount(size_t i) const;
  uint64_t Count() const;
  double Sum() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // per bucket, not cumulative; +1 for +Inf
  std::atomic<double> sum_{0};
};

// Buckets for durations in seconds: 1 ms to 60 s.
std::vector<double> DurationBuckets();

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  Counter* GetCounter(std::string_view name, std::string_view help, const MetricLabels& labels = {});
  Gauge* GetGauge(std::string_view name, std::string_view help, const MetricLabels& labels = {});
  Histogram* GetHistogram(std::string_view name, std::string_view help,
                          const std::vector<double>& bounds, const MetricLabels& labels = {});

  // Every family, sorted by name, each with its # HELP and # TYPE lines and
  // its series sorted by labels.
  std::string Render() const;

 private:
  struct Family;
  Family* FamilyOf(std::string_view name, std::string_view help, int type,
                   const std::vector<double>* bounds);
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;
};

// The process's registry: what the worker, the pipeline and the API record
// into, and what `vigil serve` exposes at /metrics.
MetricsRegistry* DefaultMetrics();

}  // namespace vigil
