#pragma once

#include <Poco/Net/Context.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace Poco::Net {
class HTTPClientSession;
}

namespace spotify_extract {

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // absolute http:// or https:// URL
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type;
  // A 2xx body must be JSON; if it does not parse it is treated as truncated and retried.
  bool expect_json = true;
  // False for a write that must not be sent twice (adding playlist items): a fault whose
  // outcome is unknown (5xx, reset, truncated answer) is thrown at once instead of being
  // retried, so the caller can check what was applied. 429s are still waited out.
  bool idempotent = true;
};

struct HttpResponse {
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  nlohmann::json json;  // parsed when the request expected JSON (null when not JSON)
  int attempts = 1;

  // The first header of that (case-insensitive) name, or "".
  std::string Header(const std::string& name) const;
};

// One round trip; throws TransportError (retryable) or TlsError (not). Thread-safe.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual HttpResponse RoundTrip(const HttpRequest& request) = 0;
};

struct TransportOptions {
  std::string ca_file;  // empty: the system's CA store
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds read_timeout{30000};
  std::string user_agent = "beets-spotify-extract/0.1";
  size_t max_idle_per_host = 16;
  size_t max_body_bytes = 256u << 20;
};

// Poco HTTP(S) with a pool of kept-alive sessions per scheme/host/port. TLS peers are
// always verified (chain and host name) against the system CAs or `ca_file`.
class PocoTransport : public Transport {
 public:
  explicit PocoTransport(TransportOptions options);
  ~PocoTransport() override;
  HttpResponse RoundTrip(const HttpRequest& request) override;
  size_t connections_opened() const;

 private:
  struct Pooled;
  std::unique_ptr<Poco::Net::HTTPClientSession> Take(const std::string& key, bool https,
                                                     const std::string& host, uint16_t port,
                                                     bool* reused);
  void Give(const std::string& key, std::unique_ptr<Poco::Net::HTTPClientSession> session);
  // `answered` is set once the status line arrived: a failure after that (a truncated body)
  // is the server's answer, not a stale connection, and is not retried here.
  HttpResponse Once(const HttpRequest& request, bool* reused_session, bool* answered);

  TransportOptions options_;
  Poco::Net::Context::Ptr context_;
  std::mutex context_mutex_;
  std::string context_error_;
  mutable std::mutex mutex_;
  std::map<std::string, std::vector<std::unique_ptr<Poco::Net::HTTPClientSession>>> idle_;
  size_t opened_ = 0;
};

// The nesting depth of a JSON text (outside strings); a cheap guard before parsing.
size_t JsonNestingDepth(const std::string& text);
// Parses JSON without throwing; discarded (is_discarded()) on any error or depth > 256.
nlohmann::json ParseJsonSafely(const std::string& text);

}  // namespace spotify_extract
