#include "notify/slack_channel.h"

#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "notify/http_delivery.h"
#include "notify/text_cut.h"

namespace vigil {
namespace {

// The blocks left for sections beside the header and the context.
constexpr size_t kMaxSections = kSlackMaxBlocks - 2;
constexpr std::string_view kBullet = "\xE2\x80\xA2 ";  // "• "

class SlackChannel : public Channel {
 public:
  SlackChannel(ChannelSpec spec, HttpClient* client, const Clock* clock)
      : spec_(std::move(spec)), client_(client), clock_(clock) {}

  DeliveryResult Deliver(const NotificationGroup& group) override {
    return DeliverHttp(kChannelSlack, client_, *clock_, BuildSlackRequest(spec_, group));
  }

 private:
  const ChannelSpec spec_;
  HttpClient* const client_;
  const Clock* const clock_;
};

// mrkdwn's three control characters, escaped as Slack documents.
std::string EscapeMrkdwn(std::string_view text) { return EscapeEntities(text, /*quotes=*/false); }

// The summary's lines packed into section texts below kSlackTextLimit, at
// most kMaxSections of them; *shown is how many lines they hold.
std::vector<std::string> PackLines(const MessageSummary& summary, size_t* shown) {
  std::vector<std::string> sections;
  *shown = 0;
  for (const SummaryLine& line : summary.lines) {
    // At most 4 + 5 * kSlackLineBytes bytes: always fits a section alone.
    const std::string item =
        std::string(kBullet) + EscapeMrkdwn(Abbreviate(line.text, kSlackLineBytes));
    if (!sections.empty() && sections.back().size() + 1 + item.size() < kSlackTextLimit) {
      sections.back() += "\n" + item;
    } else if (sections.size() < kMaxSections) {
      sections.push_back(item);
    } else {
      break;
    }
    ++*shown;
  }
  return sections;
}

nlohmann::ordered_json TextObject(std::string_view type, std::string text) {
  return {{"type", type}, {"text", std::move(text)}};
}

}  // namespace

std::string SlackBody(const NotificationGroup& group, size_t max_lines) {
  MessageSummary summary = SummarizeGroup(group, max_lines);
  size_t shown = 0;
  const std::vector<std::string> sections = PackLines(summary, &shown);
  // Lines that found no room are counted in "more" like the others left out.
  if (shown < summary.lines.size()) summary = SummarizeGroup(group, shown);

  nlohmann::ordered_json blocks = nlohmann::ordered_json::array();
  blocks.push_back(
      {{"type", "header"},
       {"text", TextObject("plain_text", Abbreviate(summary.headline, kSlackHeaderBytes))}});
  for (const std::string& text : sections) {
    blocks.push_back({{"type", "section"}, {"text", TextObject("mrkdwn", text)}});
  }
  if (!summary.more.empty()) {
    const std::string more = Abbreviate(EscapeMrkdwn(summary.more), kSlackTextLimit - 1);
    blocks.push_back({{"type", "context"},
                      {"elements", nlohmann::ordered_json::array({TextObject("mrkdwn", more)})}});
  }
  nlohmann::ordered_json body;
  body["text"] = EscapeMrkdwn(Abbreviate(summary.headline, kSlackTextLimit - 1));
  body["blocks"] = std::move(blocks);
  return body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

HttpRequest BuildSlackRequest(const ChannelSpec& spec, const NotificationGroup& group) {
  return JsonPost(spec.url, SlackBody(group));
}

Result<std::unique_ptr<Channel>> NewSlackChannel(const ChannelSpec& spec, HttpClient* client,
                                                 const Clock* clock) {
  VIGIL_RETURN_IF_ERROR(CheckHttpChannelDeps(kChannelSlack, client, clock));
  VIGIL_RETURN_IF_ERROR(CheckRequiredUrl(kChannelSlack, spec.url));
  return std::unique_ptr<Channel>(std::make_unique<SlackChannel>(spec, client, clock));
}

}  // namespace vigil
