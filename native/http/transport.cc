#include "http/transport.h"

#include <Poco/CountingStream.h>
#include <Poco/Exception.h>
#include <Poco/InflatingStream.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SSLException.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <istream>
#include <mutex>
#include <sstream>

#include "http/errors.h"

namespace spotify_extract {

namespace {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

void InitializeSslOnce() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Net::initializeSSL(); });
}

bool LooksLikeCertificateFailure(const std::string& text) {
  std::string lower = Lower(text);
  return lower.find("certificate") != std::string::npos ||
         lower.find("unacceptable") != std::string::npos ||
         lower.find("self signed") != std::string::npos ||
         lower.find("self-signed") != std::string::npos;
}

std::string HostPort(const Poco::URI& uri) {
  return uri.getHost() + ":" + std::to_string(uri.getPort());
}

}  // namespace

std::string HttpResponse::Header(const std::string& name) const {
  std::string lower = Lower(name);
  for (const auto& [key, value] : headers) {
    if (key == lower) return value;
  }
  return "";
}

size_t JsonNestingDepth(const std::string& text) {
  size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

nlohmann::json ParseJsonSafely(const std::string& text) {
  if (JsonNestingDepth(text) > 256) return nlohmann::json(nlohmann::json::value_t::discarded);
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

PocoTransport::PocoTransport(TransportOptions options) : options_(std::move(options)) {}

PocoTransport::~PocoTransport() = default;

size_t PocoTransport::connections_opened() const {
  std::lock_guard lock(mutex_);
  return opened_;
}

std::unique_ptr<Poco::Net::HTTPClientSession> PocoTransport::Take(const std::string& key,
                                                                  bool https,
                                                                  const std::string& host,
                                                                  uint16_t port, bool* reused) {
  {
    std::lock_guard lock(mutex_);
    auto it = idle_.find(key);
    if (it != idle_.end() && !it->second.empty()) {
      auto session = std::move(it->second.back());
      it->second.pop_back();
      *reused = true;
      return session;
    }
    ++opened_;
  }
  *reused = false;
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  if (https) {
    Poco::Net::Context::Ptr context;
    {
      std::lock_guard lock(context_mutex_);
      if (!context_ && context_error_.empty()) {
        InitializeSslOnce();
        if (!options_.ca_file.empty() && !std::filesystem::exists(options_.ca_file)) {
          context_error_ = "ca_file " + options_.ca_file + " does not exist";
        } else {
          try {
            // VERIFY_STRICT: the chain must verify and (unlike RELAXED) the host name is
            // checked even for loopback addresses. No certificate handler is installed, so
            // a failed verification can never be accepted.
            context_ =
                new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", options_.ca_file,
                                       Poco::Net::Context::VERIFY_STRICT, 9,
                                       /*loadDefaultCAs=*/options_.ca_file.empty());
          } catch (const Poco::Exception& error) {
            context_error_ =
                "cannot set up TLS with ca_file " +
                (options_.ca_file.empty() ? std::string("(system)") : options_.ca_file) + ": " +
                error.displayText();
          }
        }
      }
      if (!context_error_.empty()) throw TlsError(context_error_);
      context = context_;
    }
    session = std::make_unique<Poco::Net::HTTPSClientSession>(host, port, context);
  } else {
    session = std::make_unique<Poco::Net::HTTPClientSession>(host, port);
  }
  session->setKeepAlive(true);
  session->setTimeout(Poco::Timespan(options_.connect_timeout.count() * 1000),
                      Poco::Timespan(options_.read_timeout.count() * 1000),
                      Poco::Timespan(options_.read_timeout.count() * 1000));
  return session;
}

void PocoTransport::Give(const std::string& key,
                         std::unique_ptr<Poco::Net::HTTPClientSession> session) {
  std::lock_guard lock(mutex_);
  auto& sessions = idle_[key];
  if (sessions.size() < options_.max_idle_per_host) sessions.push_back(std::move(session));
}

HttpResponse PocoTransport::RoundTrip(const HttpRequest& request) {
  bool reused = false;
  bool answered = false;
  try {
    return Once(request, &reused, &answered);
  } catch (const TransportError&) {
    // A kept-alive connection the server closed while idle fails on first use: retry
    // once right away on a fresh connection (GETs only, which are idempotent). A failure
    // after the server answered (a truncated body) goes to the caller's retry with backoff.
    if (!reused || answered || request.method != "GET") throw;
  }
  return Once(request, &reused, &answered);
}

HttpResponse PocoTransport::Once(const HttpRequest& request, bool* reused, bool* answered) {
  Poco::URI uri;
  try {
    uri = Poco::URI(request.url);
  } catch (const Poco::Exception& error) {
    throw HttpError("bad URL: " + error.displayText());
  }
  std::string scheme = Lower(uri.getScheme());
  if (scheme != "http" && scheme != "https") {
    throw HttpError("unsupported URL scheme '" + scheme + "' (use https:// or http://)");
  }
  bool https = scheme == "https";
  std::string key = scheme + "://" + HostPort(uri);
  auto session = Take(key, https, uri.getHost(), uri.getPort(), reused);
  std::string where = request.method + " " + key + uri.getPath();

  try {
    std::string target = uri.getPathEtc();
    if (target.empty()) target = "/";
    Poco::Net::HTTPRequest http_request(request.method, target, Poco::Net::HTTPMessage::HTTP_1_1);
    http_request.setKeepAlive(true);
    http_request.set("Accept-Encoding", "gzip");
    http_request.set("User-Agent", options_.user_agent);
    for (const auto& [name, value] : request.headers) http_request.set(name, value);
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
      if (!request.content_type.empty()) http_request.setContentType(request.content_type);
      http_request.setContentLength(static_cast<std::streamsize>(request.body.size()));
    }
    std::ostream& out = session->sendRequest(http_request);
    out << request.body;
    out.flush();

    Poco::Net::HTTPResponse http_response;
    std::istream& raw = session->receiveResponse(http_response);
    *answered = true;
    HttpResponse response;
    response.status = static_cast<int>(http_response.getStatus());
    response.reason = http_response.getReason();
    for (const auto& [name, value] : http_response)
      response.headers.emplace_back(Lower(name), value);

    Poco::CountingInputStream counted(raw);
    std::ostringstream body;
    bool gzip = Lower(http_response.get("Content-Encoding", "")).find("gzip") != std::string::npos;
    if (gzip) {
      Poco::InflatingInputStream inflater(counted, Poco::InflatingStreamBuf::STREAM_GZIP);
      Poco::StreamCopier::copyStream(inflater, body);
    } else {
      Poco::StreamCopier::copyStream(counted, body);
    }
    response.body = body.str();
    if (response.body.size() > options_.max_body_bytes) {
      throw TransportError(where + ": response body too large");
    }
    if (http_response.hasContentLength() && counted.chars() != http_response.getContentLength64()) {
      throw TransportError(where + ": truncated response (" + std::to_string(counted.chars()) +
                           " of " + std::to_string(http_response.getContentLength64()) + " bytes)");
    }
    if (http_response.getKeepAlive()) Give(key, std::move(session));
    return response;
  } catch (const HttpError&) {
    throw;
  } catch (const Poco::Net::CertificateValidationException& error) {
    throw TlsError("TLS certificate of " + HostPort(uri) + " rejected (" + error.displayText() +
                   "); if it is signed by a private CA, set ca_file to that CA's certificate");
  } catch (const Poco::Net::SSLException& error) {
    if (LooksLikeCertificateFailure(error.displayText())) {
      throw TlsError("TLS certificate of " + HostPort(uri) + " could not be verified (" +
                     error.displayText() +
                     "); if it is signed by a private CA, set ca_file to that CA's certificate");
    }
    throw TransportError(where + ": TLS error: " + error.displayText());
  } catch (const Poco::TimeoutException& error) {
    throw TransportError(where + ": timed out");
  } catch (const Poco::Exception& error) {
    throw TransportError(where + ": " + error.displayText());
  } catch (const std::ios_base::failure& error) {
    throw TransportError(where + ": " + error.what());
  }
}

}  // namespace spotify_extract
