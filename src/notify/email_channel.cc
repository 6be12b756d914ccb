#include "notify/email_channel.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil {
namespace {

constexpr std::string_view kUrlForms = "smtp://host:port or smtps://host:port";

Status InitCurlOnce() {
  static std::once_flag once;
  static CURLcode code = CURLE_OK;
  std::call_once(once, [] { code = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (code != CURLE_OK) {
    return Status::Internal(std::string("email: libcurl could not be initialised: ") +
                            curl_easy_strerror(code));
  }
  return Status::Ok();
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Status Refuse(std::string_view field, std::string_view what) {
  return Status::InvalidArgument("email channel: " + std::string(field) + ": " + std::string(what));
}

// The URL is never echoed: it may carry a user and password.
Status CheckSmtpUrl(std::string_view url) {
  if (url.empty()) return Refuse("smtp_url", "missing (expected " + std::string(kUrlForms) + ")");
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) {
    return Refuse("smtp_url", "not a URL (expected " + std::string(kUrlForms) + ")");
  }
  const std::string scheme = Lower(url.substr(0, sep));
  if (scheme != "smtp" && scheme != "smtps") {
    return Refuse("smtp_url", "expected " + std::string(kUrlForms) + ", not a URL of scheme \"" +
                                  std::string(url.substr(0, sep)) + "\"");
  }
  std::string_view authority = url.substr(sep + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) {
    return Refuse("smtp_url",
                  "carries a user or password (give them as smtp_user and smtp_password)");
  }
  if (authority.empty() || authority.front() == ':') return Refuse("smtp_url", "no host");
  return Status::Ok();
}

// The SMTP replies of one exchange, as libcurl hands them to the header
// callback line by line ("250-first", "250 last").
struct Replies {
  std::string current;  // lines of the reply being read
  bool complete = true;
  std::vector<std::string> done;  // complete replies, lines joined by '\n'

  // The last reply with `code`: the one CURLINFO_RESPONSE_CODE reports (a
  // QUIT's "221" may follow the refusal that ended the exchange).
  std::string Find(long code) const {
    const std::string prefix = std::to_string(code);
    for (auto it = done.rbegin(); it != done.rend(); ++it) {
      if (it->rfind(prefix, 0) == 0) return *it;
    }
    return done.empty() ? "" : done.back();
  }
};

size_t OnReplyLine(char* data, size_t size, size_t count, void* user) {
  auto* r = static_cast<Replies*>(user);
  const size_t bytes = size * count;
  std::string_view line(data, bytes);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (r->complete) r->current.clear();
  if (!r->current.empty()) r->current += '\n';
  r->current += line;
  r->complete = line.size() < 4 || line[3] != '-';
  if (r->complete) {
    if (r->done.size() == 16) r->done.erase(r->done.begin());
    r->done.push_back(r->current);
  }
  return bytes;
}

struct Upload {
  std::string message;
  size_t offset = 0;
};

size_t OnUploadRead(char* buffer, size_t size, size_t count, void* user) {
  auto* u = static_cast<Upload*>(user);
  const size_t n = std::min(size * count, u->message.size() - u->offset);
  std::copy_n(u->message.data() + u->offset, n, buffer);
  u->offset += n;
  return n;
}

// Every occurrence of `secret` in `text` as "***".
std::string Redact(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
    text.replace(at, secret.size(), "***");
  }
  return text;
}

std::string FirstLine(std::string_view text) {
  return std::string(text.substr(0, text.find('\n')));
}

class EmailChannel : public Channel {
 public:
  EmailChannel(ChannelSpec spec, std::string from, std::vector<std::string> to, CURL* curl)
      : spec_(std::move(spec)), from_(std::move(from)), to_(std::move(to)), curl_(curl) {}

  ~EmailChannel() override {
    curl_easy_cleanup(curl_);  // may still say QUIT: into replies_, alive until after this
    curl_slist_free_all(recipients_);
  }

  EmailChannel(const EmailChannel&) = delete;
  EmailChannel& operator=(const EmailChannel&) = delete;

  DeliveryResult Deliver(const NotificationGroup& group) override;

 private:
  void SetOptions();
  DeliveryResult Classify(CURLcode rc) const;

  const ChannelSpec spec_;
  const std::string from_;             // the envelope sender, "<a@b>"
  const std::vector<std::string> to_;  // the envelope recipients, "<a@b>"
  CURL* const curl_;
  // What the handle's options point to; they live as long as the handle.
  curl_slist* recipients_ = nullptr;
  Upload upload_;
  Replies replies_;
  char error_[CURL_ERROR_SIZE] = {};
};

void EmailChannel::SetOptions() {
  curl_easy_reset(curl_);  // keeps the open connection
  curl_slist_free_all(recipients_);
  recipients_ = nullptr;
  for (const std::string& rcpt : to_) recipients_ = curl_slist_append(recipients_, rcpt.c_str());
  const bool implicit_tls = Lower(spec_.smtp_url).rfind("smtps://", 0) == 0;
  curl_easy_setopt(curl_, CURLOPT_URL, spec_.smtp_url.c_str());
  curl_easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(curl_, CURLOPT_USE_SSL, implicit_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY);
  if (!spec_.smtp_user.empty()) {
    curl_easy_setopt(curl_, CURLOPT_USERNAME, spec_.smtp_user.c_str());
    curl_easy_setopt(curl_, CURLOPT_PASSWORD, spec_.smtp_password.c_str());
  }
  curl_easy_setopt(curl_, CURLOPT_MAIL_FROM, from_.c_str());
  curl_easy_setopt(curl_, CURLOPT_MAIL_RCPT, recipients_);
  curl_easy_setopt(curl_, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl_, CURLOPT_READFUNCTION, OnUploadRead);
  curl_easy_setopt(curl_, CURLOPT_READDATA, &upload_);
  curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, OnReplyLine);
  curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &replies_);
  curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error_);
  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  const long timeout_ms = static_cast<long>(std::max<int64_t>(1, spec_.policy.timeout_ms));
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
}

DeliveryResult EmailChannel::Deliver(const NotificationGroup& group) {
  const TimeMs now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  upload_ = Upload{BuildEmailMessage(group, spec_, now), 0};
  replies_ = Replies{};
  error_[0] = '\0';
  SetOptions();
  const CURLcode rc = curl_easy_perform(curl_);
  return Classify(rc);
}

DeliveryResult EmailChannel::Classify(CURLcode rc) const {
  DeliveryResult result;
  long code = 0;
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &code);
  result.status = static_cast<int>(code);
  const std::string curl_words = error_[0] != '\0' ? error_ : curl_easy_strerror(rc);
  const std::string reply = replies_.Find(code);
  result.response = code != 0 ? reply : curl_words;
  result.response = Redact(result.response, spec_.smtp_password).substr(0, kResponsePrefixBytes);
  if (rc == CURLE_OK) {
    result.outcome = DeliveryOutcome::kSent;
    return result;
  }
  if (code >= 400) {
    const bool later = code < 500;
    result.outcome = later ? DeliveryOutcome::kRetry : DeliveryOutcome::kFailed;
    result.error = "email: the SMTP server answered: " + FirstLine(reply);
  } else if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL ||
             rc == CURLE_LOGIN_DENIED) {
    result.outcome = DeliveryOutcome::kFailed;
    result.error = "email: " + curl_words;
  } else {
    result.outcome = DeliveryOutcome::kRetry;
    result.error = (code == 0 ? "email: no answer from the SMTP server: "
                              : "email: the SMTP exchange broke off: ") +
                   curl_words;
  }
  result.error = Redact(result.error, spec_.smtp_password);
  return result;
}

}  // namespace

Result<std::unique_ptr<Channel>> NewEmailChannel(const ChannelSpec& spec) {
  VIGIL_RETURN_IF_ERROR(CheckSmtpUrl(spec.smtp_url));
  if (spec.from.empty()) return Refuse("from", "missing");
  VIGIL_ASSIGN_OR_RETURN(Mailbox from, ParseMailbox(spec.from, "from"));
  if (spec.to.empty()) return Refuse("to", "missing (at least one address)");
  std::vector<std::string> to;
  for (const std::string& text : spec.to) {
    VIGIL_ASSIGN_OR_RETURN(Mailbox mailbox, ParseMailbox(text, "to"));
    to.push_back("<" + mailbox.address + ">");
  }
  if (spec.smtp_user.empty() && !spec.smtp_password.empty()) {
    return Refuse("smtp_password", "given without smtp_user");
  }
  VIGIL_RETURN_IF_ERROR(InitCurlOnce());
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return Status::Internal("email: libcurl gave no easy handle");
  return std::unique_ptr<Channel>(
      new EmailChannel(spec, "<" + from.address + ">", std::move(to), curl));
}

}  // namespace vigil
