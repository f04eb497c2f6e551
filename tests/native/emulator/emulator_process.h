// The Spotify emulator (tests/emulator, Python) as a child process, for native tests.
//
//   spotify_extract::testing::EmulatorOptions options;  // development mode, small library
//   options.tls = true;
//   spotify_extract::testing::EmulatorProcess emu(options);
//   emu.api_url(), emu.auth_url(), emu.ca_file(), emu.access_token()
//   emu.Admin("fail_next", {{"count", 2}, {"status", 503}});
//   emu.Admin("counters")["api_requests"]
//
// It runs `python3 -m tests.emulator` (override the interpreter with $PYTHON) in the
// source tree, reads its first two stdout lines (base URL, then JSON info with a token)
// and stops it with SIGINT when destroyed. The emulator needs only the standard library.
#pragma once

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <cstdlib>
#include <istream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#ifndef SPOTIFY_EXTRACT_SOURCE_DIR
#error "SPOTIFY_EXTRACT_SOURCE_DIR must name the source tree (tests/native/CMakeLists.txt sets it)"
#endif

namespace spotify_extract::testing {

struct EmulatorOptions {
  std::string mode = "development";  // or "extended"
  bool tls = false;
  int seed = 7;
  // The library the generator makes (ignored with data_file).
  int playlists = 10;
  int entries = 640;
  int liked = 230;
  int albums = 30;
  int artists = 70;
  std::string data_file;  // --data: a JSON library instead of the generator
  double latency_ms = 0;
  int rate_limit = 180;  // requests per window; 0 = unlimited
  double rate_window = 30;
  int token_ttl = 3600;
  std::vector<std::string> extra_args;  // anything else from `python -m tests.emulator -h`
};

struct EmulatorResponse {
  int status = 0;
  std::string body;
  nlohmann::json Json() const { return nlohmann::json::parse(body); }
};

class EmulatorProcess {
 public:
  explicit EmulatorProcess(const EmulatorOptions& options = {}) {
    std::vector<std::string> args = {"-m",
                                     "tests.emulator",
                                     "--port",
                                     "0",
                                     "--mode",
                                     options.mode,
                                     "--seed",
                                     std::to_string(options.seed),
                                     "--latency-ms",
                                     std::to_string(options.latency_ms),
                                     "--rate-limit",
                                     std::to_string(options.rate_limit),
                                     "--rate-window",
                                     std::to_string(options.rate_window),
                                     "--token-ttl",
                                     std::to_string(options.token_ttl),
                                     "--print-token"};
    if (options.data_file.empty()) {
      for (auto [flag, value] : {std::pair{"--playlists", options.playlists},
                                 {"--entries", options.entries},
                                 {"--liked", options.liked},
                                 {"--albums", options.albums},
                                 {"--artists", options.artists}}) {
        args.push_back(flag);
        args.push_back(std::to_string(value));
      }
    } else {
      args.push_back("--data");
      args.push_back(options.data_file);
    }
    if (options.tls) args.push_back("--tls");
    args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
    const char* python = std::getenv("PYTHON");
    handle_.emplace(Poco::Process::launch(python && *python ? python : "python3", args,
                                          SPOTIFY_EXTRACT_SOURCE_DIR, nullptr, &out_, nullptr));
    Poco::PipeInputStream in(out_);
    std::string first, second;
    if (!std::getline(in, first) || !std::getline(in, second)) {
      Stop();
      throw std::runtime_error("the Spotify emulator did not start");
    }
    info_ = nlohmann::json::parse(second);
  }

  EmulatorProcess(const EmulatorProcess&) = delete;
  EmulatorProcess& operator=(const EmulatorProcess&) = delete;
  ~EmulatorProcess() { Stop(); }

  std::string base_url() const { return info_.at("base_url"); }
  std::string api_url() const { return info_.at("api_url"); }    // config api_url
  std::string auth_url() const { return info_.at("auth_url"); }  // config auth_url
  std::string ca_file() const {
    return info_.at("ca_file").is_null() ? "" : info_.at("ca_file").get<std::string>();
  }
  std::string client_id() const { return info_.at("client_id"); }
  std::string access_token() const { return info_.at("token").at("access_token"); }
  std::string refresh_token() const { return info_.at("token").at("refresh_token"); }
  const nlohmann::json& info() const { return info_; }

  // POST /_admin/<action> with keyword arguments; returns the "result" (see
  // tests/emulator/README.md: token, expire_tokens, fail_next, storm_429, faults, config,
  // counters, log, reset, library, summary, add_to_playlist, rename_playlist, ...).
  nlohmann::json Admin(const std::string& action,
                       const nlohmann::json& args = nlohmann::json::object()) const {
    EmulatorResponse r = Request("POST", base_url() + "/_admin/" + action, "", args.dump());
    if (r.status != 200) throw std::runtime_error("emulator admin " + action + ": " + r.body);
    return r.Json().at("result");
  }

  // A plain GET against the emulator (for tests of the emulator itself).
  EmulatorResponse Get(const std::string& url, const std::string& token = "") const {
    return Request("GET", url, token, "");
  }

 private:
  EmulatorResponse Request(const std::string& method, const std::string& url,
                           const std::string& token, const std::string& body) const {
    Poco::URI uri(url);
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (uri.getScheme() == "https") {
      Poco::Net::Context::Ptr context(
          new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", ca_file(),
                                 Poco::Net::Context::VERIFY_STRICT, 9, false));
      session =
          std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), context);
    } else {
      session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
    }
    Poco::Net::HTTPRequest request(method, uri.getPathAndQuery(), Poco::Net::HTTPMessage::HTTP_1_1);
    if (!token.empty()) request.set("Authorization", "Bearer " + token);
    if (!body.empty() || method == "POST") {
      request.setContentType("application/json");
      request.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    session->sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session->receiveResponse(response);
    EmulatorResponse r;
    r.status = static_cast<int>(response.getStatus());
    Poco::StreamCopier::copyToString(in, r.body);
    return r;
  }

  void Stop() {
    if (!handle_) return;
    try {
      Poco::Process::requestTermination(handle_->id());
      handle_->wait();
    } catch (...) {
    }
    handle_.reset();
  }

  Poco::Pipe out_;
  std::optional<Poco::ProcessHandle> handle_;
  nlohmann::json info_;
};

}  // namespace spotify_extract::testing
