#include "providers/static_provider.h"

#include <utility>

namespace vigil {
namespace {

class StaticProvider final : public Provider {
 public:
  StaticProvider(std::string name, Snapshot snapshot)
      : name_(std::move(name)), snapshot_(std::move(snapshot)) {}
  std::string name() const override { return name_; }
  Result<Snapshot> Fetch() override { return snapshot_; }

 private:
  const std::string name_;
  const Snapshot snapshot_;
};

}  // namespace

std::unique_ptr<Provider> NewStaticProvider(std::string name, Snapshot snapshot) {
  return std::make_unique<StaticProvider>(std::move(name), std::move(snapshot));
}

}  // namespace vigil
