#include "notifier/app/http_webhook_sender.h"

#include <httplib.h>

#include <exception>

namespace leadflow::notifier {
namespace {

constexpr size_t kMaxAnswerBytes = 64 * 1024;

// "https://host:port/path?q" -> {"https://host:port", "/path?q"}.
std::pair<std::string, std::string> SplitUrl(const std::string& url) {
  const size_t scheme_end = url.find("://");
  const size_t path_start =
      scheme_end == std::string::npos ? std::string::npos : url.find('/', scheme_end + 3);
  if (path_start == std::string::npos) return {url, "/"};
  return {url.substr(0, path_start), url.substr(path_start)};
}

}  // namespace

HttpAttempt HttpWebhookSender::Post(const std::string& url,
                                    const std::vector<std::pair<std::string, std::string>>& headers,
                                    const std::string& content_type, const std::string& body,
                                    std::chrono::milliseconds timeout) {
  try {
    const auto [origin, path] = SplitUrl(url);
    httplib::Client client(origin);
    if (!client.is_valid()) return {0, "invalid url"};
    const auto secs = static_cast<time_t>(timeout.count() / 1000);
    const auto usecs = static_cast<time_t>((timeout.count() % 1000) * 1000);
    client.set_connection_timeout(secs, usecs);
    client.set_read_timeout(secs, usecs);
    client.set_write_timeout(secs, usecs);
    client.set_follow_location(false);
    client.set_keep_alive(false);

    httplib::Request req;
    req.method = "POST";
    req.path = path;
    for (const auto& [k, v] : headers) req.headers.emplace(k, v);
    req.headers.emplace("Content-Type", content_type);
    req.body = body;
    size_t received = 0;
    req.content_receiver = [&received](const char*, size_t len, uint64_t, uint64_t) {
      received += len;
      return received <= kMaxAnswerBytes;
    };
    httplib::Response res;
    httplib::Error err = httplib::Error::Success;
    const bool ok = client.send(req, res, err);
    if (ok || (err == httplib::Error::Canceled && res.status > 0)) return {res.status, ""};
    if (err == httplib::Error::Read || err == httplib::Error::Write) {
      return {0, "timeout or connection reset (" + httplib::to_string(err) + ")"};
    }
    return {0, httplib::to_string(err)};
  } catch (const std::exception& e) {
    return {0, std::string("exception: ") + e.what()};
  }
}

}  // namespace leadflow::notifier
