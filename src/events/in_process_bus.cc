#include "events/in_process_bus.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace vigil {
namespace {

// One subscription. `call_mu` is held while its handler runs, so the
// destructor of its Subscription can wait for a running call; it is
// recursive so that a handler may end its own subscription.
struct Subscriber {
  Subscriber(EventFilter f, EventBus::Handler h) : filter(std::move(f)), handler(std::move(h)) {}
  const EventFilter filter;
  const EventBus::Handler handler;
  std::recursive_mutex call_mu;
  bool active = true;  // guarded by call_mu
};

// What the bus and its Subscriptions share; a Subscription keeps it alive.
struct BusState {
  std::mutex mu;  // guards subscribers
  std::vector<std::shared_ptr<Subscriber>> subscribers;
};

class InProcessSubscription : public Subscription {
 public:
  InProcessSubscription(std::shared_ptr<BusState> state, std::shared_ptr<Subscriber> subscriber)
      : state_(std::move(state)), subscriber_(std::move(subscriber)) {}

  ~InProcessSubscription() override {
    {
      std::lock_guard<std::mutex> lock(state_->mu);
      auto& subs = state_->subscribers;
      subs.erase(std::remove(subs.begin(), subs.end(), subscriber_), subs.end());
    }
    // Waits for a call running on another thread; re-enters when called
    // from the subscriber's own handler.
    std::lock_guard<std::recursive_mutex> lock(subscriber_->call_mu);
    subscriber_->active = false;
  }

 private:
  std::shared_ptr<BusState> state_;
  std::shared_ptr<Subscriber> subscriber_;
};

class InProcessBus : public EventBus {
 public:
  InProcessBus() : state_(std::make_shared<BusState>()) {}

  Status Publish(const std::vector<Event>& events) override {
    if (publishing_thread_.load() == std::this_thread::get_id()) {
      return Status::FailedPrecondition("in-process event bus: Publish called from a handler");
    }
    std::lock_guard<std::mutex> publish_lock(publish_mu_);
    publishing_thread_.store(std::this_thread::get_id());
    std::vector<std::shared_ptr<Subscriber>> subscribers;
    {
      std::lock_guard<std::mutex> lock(state_->mu);
      subscribers = state_->subscribers;
    }
    for (const Event& event : events) {
      for (const std::shared_ptr<Subscriber>& s : subscribers) {
        if (!s->filter.Matches(event)) continue;
        std::lock_guard<std::recursive_mutex> lock(s->call_mu);
        if (s->active) s->handler(event);
      }
    }
    publishing_thread_.store(std::thread::id());
    return Status::Ok();
  }

  Result<std::unique_ptr<Subscription>> Subscribe(const EventFilter& filter,
                                                  Handler handler) override {
    if (!handler)
      return Status::InvalidArgument("in-process event bus: subscribe without a handler");
    auto subscriber = std::make_shared<Subscriber>(filter, std::move(handler));
    {
      std::lock_guard<std::mutex> lock(state_->mu);
      state_->subscribers.push_back(subscriber);
    }
    return std::unique_ptr<Subscription>(
        std::make_unique<InProcessSubscription>(state_, std::move(subscriber)));
  }

 private:
  std::shared_ptr<BusState> state_;
  std::mutex publish_mu_;  // serialises Publish calls
  std::atomic<std::thread::id> publishing_thread_{};
};

}  // namespace

std::unique_ptr<EventBus> NewInProcessBus() { return std::make_unique<InProcessBus>(); }

}  // namespace vigil
