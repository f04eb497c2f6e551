#include "http/retry.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Exception.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <regex>

namespace spotify_extract {

std::chrono::milliseconds BackoffDelay(const RetryOptions& options, int retry, double random01) {
  retry = std::clamp(retry, 1, 40);
  double cap = static_cast<double>(options.max_backoff.count());
  double ceiling =
      std::min(cap, static_cast<double>(options.base_backoff.count()) * std::ldexp(1.0, retry - 1));
  random01 = std::clamp(random01, 0.0, 1.0);
  double delay = ceiling / 2.0 + random01 * ceiling / 2.0;
  return std::chrono::milliseconds(static_cast<int64_t>(std::min(delay, cap)));
}

std::optional<int64_t> ParseRetryAfter(const std::string& raw, int64_t unix_now) {
  std::string value = raw;
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  value.erase(value.begin(), std::find_if(value.begin(), value.end(), not_space));
  value.erase(std::find_if(value.rbegin(), value.rend(), not_space).base(), value.end());
  if (value.empty()) return std::nullopt;
  bool digits =
      std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
  if (digits) {
    if (value.size() > 12) return int64_t{999999999999};
    return std::stoll(value);
  }
  if (value[0] == '-' && value.size() > 1 &&
      std::all_of(value.begin() + 1, value.end(),
                  [](unsigned char c) { return std::isdigit(c) != 0; })) {
    return 0;
  }
  static const std::regex kHttpDate(
      R"([A-Za-z]{3}, \d{1,2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT)");
  if (value.size() > 64 || !std::regex_match(value, kHttpDate)) return std::nullopt;
  try {
    int tzd = 0;
    Poco::DateTime when =
        Poco::DateTimeParser::parse(Poco::DateTimeFormat::HTTP_FORMAT, value, tzd);
    int64_t at = when.timestamp().epochTime() - tzd;
    return std::max<int64_t>(0, at - unix_now);
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
}

}  // namespace spotify_extract
