#include "notify/teams_channel.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "notify/http_delivery.h"
#include "notify/text_cut.h"

namespace vigil {
namespace {

constexpr size_t kHeadlineBytes = 500;
constexpr size_t kLineBytes = 1000;
constexpr size_t kMoreBytes = 2000;

class TeamsChannel : public Channel {
 public:
  TeamsChannel(ChannelSpec spec, HttpClient* client, const Clock* clock)
      : spec_(std::move(spec)), client_(client), clock_(clock) {}

  DeliveryResult Deliver(const NotificationGroup& group) override {
    return DeliverHttp(kChannelTeams, client_, *clock_, BuildTeamsRequest(spec_, group));
  }

 private:
  const ChannelSpec spec_;
  HttpClient* const client_;
  const Clock* const clock_;
};

nlohmann::ordered_json TextBlock(std::string text) {
  return {{"type", "TextBlock"}, {"text", std::move(text)}, {"wrap", true}};
}

// The body with the first `lines` lines of the summary.
std::string Render(const NotificationGroup& group, size_t lines) {
  const MessageSummary summary = SummarizeGroup(group, lines);
  nlohmann::ordered_json body = nlohmann::ordered_json::array();
  nlohmann::ordered_json headline = TextBlock(Abbreviate(summary.headline, kHeadlineBytes));
  headline["weight"] = "bolder";
  headline["size"] = "medium";
  body.push_back(std::move(headline));
  for (const SummaryLine& line : summary.lines) {
    body.push_back(TextBlock(Abbreviate(line.text, kLineBytes)));
  }
  if (!summary.more.empty()) {
    nlohmann::ordered_json more = TextBlock(Abbreviate(summary.more, kMoreBytes));
    more["isSubtle"] = true;
    body.push_back(std::move(more));
  }
  nlohmann::ordered_json card;
  card["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json";
  card["type"] = "AdaptiveCard";
  card["version"] = "1.4";
  card["body"] = std::move(body);
  nlohmann::ordered_json attachment;
  attachment["contentType"] = "application/vnd.microsoft.card.adaptive";
  attachment["contentUrl"] = nullptr;
  attachment["content"] = std::move(card);
  nlohmann::ordered_json message;
  message["type"] = "message";
  message["attachments"] = nlohmann::ordered_json::array({std::move(attachment)});
  return message.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

bool Fits(const std::string& body) { return body.size() < kTeamsMaxBodyBytes; }

}  // namespace

std::string TeamsBody(const NotificationGroup& group, size_t max_lines) {
  size_t hi = std::min(max_lines, group.notifications.size());
  std::string best = Render(group, hi);
  if (Fits(best)) return best;
  // With no line the body is the bounded headline and "more": it fits. Find
  // the most lines that fit, keeping Fits(lo) and !Fits(hi).
  size_t lo = 0;
  best = Render(group, 0);
  while (hi - lo > 1) {
    const size_t mid = lo + (hi - lo) / 2;
    std::string body = Render(group, mid);
    if (Fits(body)) {
      lo = mid;
      best = std::move(body);
    } else {
      hi = mid;
    }
  }
  return best;
}

HttpRequest BuildTeamsRequest(const ChannelSpec& spec, const NotificationGroup& group) {
  return JsonPost(spec.url, TeamsBody(group));
}

Result<std::unique_ptr<Channel>> NewTeamsChannel(const ChannelSpec& spec, HttpClient* client,
                                                 const Clock* clock) {
  VIGIL_RETURN_IF_ERROR(CheckHttpChannelDeps(kChannelTeams, client, clock));
  VIGIL_RETURN_IF_ERROR(CheckRequiredUrl(kChannelTeams, spec.url));
  return std::unique_ptr<Channel>(std::make_unique<TeamsChannel>(spec, client, clock));
}

}  // namespace vigil
