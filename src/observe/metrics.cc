#include "observe/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace vigil {
namespace {

enum Type { kCounter = 0, kGauge = 1, kHistogram = 2 };

const char* TypeName(int type) {
  switch (type) {
    case kCounter:
      return "counter";
    case kGauge:
      return "gauge";
    default:
      return "histogram";
  }
}

void AtomicAdd(std::atomic<double>* target, double by) {
  double current = target->load(std::memory_order_relaxed);
  while (!target->compare_exchange_weak(current, current + by, std::memory_order_relaxed)) {
  }
}

// A sample value as Prometheus reads it: integers without a fraction,
// +Inf/-Inf/NaN by name.
std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<int64_t>(value));
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}

std::string EscapeLabel(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// {a="1",b="2"} plus `extra` (the le of a bucket), or "" when empty.
std::string LabelText(const MetricLabels& labels, const std::string& extra = "") {
  if (labels.empty() && extra.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ",";
    out += labels[i].first + "=\"" + EscapeLabel(labels[i].second) + "\"";
  }
  if (!extra.empty()) {
    if (!labels.empty()) out += ",";
    out += extra;
  }
  return out + "}";
}

}  // namespace

void Counter::Inc(double by) {
  if (by > 0) AtomicAdd(&value_, by);
}
double Counter::Value() const { return value_.load(std::memory_order_relaxed); }

void Gauge::Set(double value) { value_.store(value, std::memory_order_relaxed); }
void Gauge::Add(double by) { AtomicAdd(&value_, by); }
double Gauge::Value() const { return value_.load(std::memory_order_relaxed); }

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  std::sort(bounds_.begin(), bounds_.end());
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::Observe(double value) {
  const size_t bucket =
      std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  AtomicAdd(&sum_, value);
}

uint64_t Histogram::CumulativeCount(size_t i) const {
  uint64_t total = 0;
  for (size_t b = 0; b <= std::min(i, bounds_.size()); ++b) {
    total += counts_[b].load(std::memory_order_relaxed);
  }
  return total;
}

uint64_t Histogram::Count() const { return CumulativeCount(bounds_.size()); }
double Histogram::Sum() const { return sum_.load(std::memory_order_relaxed); }

std::vector<double> DurationBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

struct MetricsRegistry::Family {
  std::string help;
  int type = kCounter;
  std::vector<double> bounds;
  std::map<MetricLabels, std::unique_ptr<Counter>> counters;
  std::map<MetricLabels, std::unique_ptr<Gauge>> gauges;
  std::map<MetricLabels, std::unique_ptr<Histogram>> histograms;
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Family* MetricsRegistry::FamilyOf(std::string_view name, std::string_view help,
                                                   int type, const std::vector<double>* bounds) {
  auto it = families_.find(name);
  if (it != families_.end()) return it->second.get();
  auto family = std::make_unique<Family>();
  family->help = std::string(help);
  family->type = type;
  if (bounds != nullptr) family->bounds = *bounds;
  Family* raw = family.get();
  families_.emplace(std::string(name), std::move(family));
  return raw;
}

Counter* MetricsRegistry::GetCounter(std::string_view name, std::string_view help,
                                     const MetricLabels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Family* family = FamilyOf(name, help, kCounter, nullptr);
  auto& slot = family->counters[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return slot.get();
}

Gauge* MetricsRegistry::GetGauge(std::string_view name, std::string_view help,
                                 const MetricLabels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Family* family = FamilyOf(name, help, kGauge, nullptr);
  auto& slot = family->gauges[labels];
  if (!slot) slot = std::make_unique<Gauge>();
  return slot.get();
}

Histogram* MetricsRegistry::GetHistogram(std::string_view name, std::string_view help,
                                         const std::vector<double>& bounds,
                                         const MetricLabels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Family* family = FamilyOf(name, help, kHistogram, &bounds);
  auto& slot = family->histograms[labels];
  if (!slot) slot = std::make_unique<Histogram>(family->bounds);
  return slot.get();
}

std::string MetricsRegistry::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    out += "# HELP " + name + " " + EscapeHelp(family->help) + "\n";
    out += "# TYPE " + name + " " + TypeName(family->type) + "\n";
    for (const auto& [labels, counter] : family->counters) {
      out += name + LabelText(labels) + " " + FormatValue(counter->Value()) + "\n";
    }
    for (const auto& [labels, gauge] : family->gauges) {
      out += name + LabelText(labels) + " " + FormatValue(gauge->Value()) + "\n";
    }
    for (const auto& [labels, histogram] : family->histograms) {
      const auto& bounds = histogram->bounds();
      for (size_t i = 0; i <= bounds.size(); ++i) {
        const std::string le =
            "le=\"" + (i < bounds.size() ? FormatValue(bounds[i]) : std::string("+Inf")) + "\"";
        out += name + "_bucket" + LabelText(labels, le) + " " +
               std::to_string(histogram->CumulativeCount(i)) + "\n";
      }
      out += name + "_sum" + LabelText(labels) + " " + FormatValue(histogram->Sum()) + "\n";
      out += name + "_count" + LabelText(labels) + " " + std::to_string(histogram->Count()) + "\n";
    }
  }
  return out;
}

MetricsRegistry* DefaultMetrics() {
  static MetricsRegistry* registry = new MetricsRegistry();
  return registry;
}

}  // namespace vigil
