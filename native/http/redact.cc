#include "http/redact.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <mutex>
#include <set>

#include "http/errors.h"

namespace spotify_extract {

namespace {

constexpr std::string_view kMask = "[redacted]";

std::mutex& SecretsMutex() {
  static std::mutex mutex;
  return mutex;
}

std::set<std::string>& Secrets() {
  static std::set<std::string> secrets;
  return secrets;
}

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
         c == '~' || c == '+' || c == '/' || c == '=' || c == '%';
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Masks the value after each occurrence of `key` (case-insensitive) followed by one of
// the separators (`=`, `:`, `":"`, a space), up to the end of the token-like run.
void MaskAfter(std::string& text, std::string_view key) {
  std::string lower = Lower(text);
  size_t pos = 0;
  while ((pos = lower.find(key, pos)) != std::string::npos) {
    size_t value = pos + key.size();
    while (value < text.size() &&
           (text[value] == '"' || text[value] == '\'' || text[value] == ':' || text[value] == '=' ||
            text[value] == ' ' || text[value] == '\\')) {
      ++value;
    }
    size_t end = value;
    while (end < text.size() && IsTokenChar(text[end])) ++end;
    if (end > value && value > pos + key.size()) {
      text.replace(value, end - value, kMask);
      lower.replace(value, end - value, kMask);
      pos = value + kMask.size();
    } else {
      pos = value;
    }
  }
}

}  // namespace

void RegisterSecret(std::string_view secret) {
  if (secret.size() < 6) return;  // too short to be a secret; masking it would garble text
  std::lock_guard lock(SecretsMutex());
  Secrets().emplace(secret);
}

std::string Redact(std::string_view text) {
  std::string out(text);
  {
    std::lock_guard lock(SecretsMutex());
    for (const std::string& secret : Secrets()) {
      size_t pos = 0;
      while ((pos = out.find(secret, pos)) != std::string::npos) {
        out.replace(pos, secret.size(), kMask);
        pos += kMask.size();
      }
    }
  }
  static constexpr std::array<std::string_view, 7> kKeys = {
      "bearer",        "access_token", "refresh_token", "client_secret",
      "code_verifier", "?code",        "&code"};
  for (std::string_view key : kKeys) MaskAfter(out, key);
  // Messages are one line.
  std::replace(out.begin(), out.end(), '\n', ' ');
  std::replace(out.begin(), out.end(), '\r', ' ');
  return out;
}

HttpError::HttpError(const std::string& message) : std::runtime_error(Redact(message)) {}

RateLimitError::RateLimitError(const std::string& message, int64_t retry_after_seconds,
                               int64_t retry_at_unix, bool quota_exceeded)
    : HttpError(message),
      retry_after_seconds_(retry_after_seconds),
      retry_at_unix_(retry_at_unix),
      quota_exceeded_(quota_exceeded) {}

}  // namespace spotify_extract
