#include "spotify/login.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/URI.h>

#include <condition_variable>
#include <mutex>

#include "http/redact.h"
#include "spotify/errors.h"
#include "spotify/pkce.h"

namespace spotify_extract {

struct CallbackState {
  std::mutex mutex;
  std::condition_variable cv;
  std::string expected_state;
  bool done = false;
  std::string code;
  std::string error;
};

namespace {

std::string Page(const std::string& title, const std::string& text) {
  return "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + title +
         "</title><style>body{font-family:system-ui,sans-serif;max-width:36em;margin:4em "
         "auto;line-height:1.5}</style></head><body><h1>" +
         title + "</h1><p>" + text + "</p></body></html>";
}

class CallbackHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit CallbackHandler(std::shared_ptr<CallbackState> state) : state_(std::move(state)) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    response.setKeepAlive(false);
    response.setContentType("text/html; charset=utf-8");
    response.set("Cache-Control", "no-store");
    Poco::URI uri;
    try {
      uri = Poco::URI(request.getURI());
    } catch (const Poco::Exception&) {
      Reply(response, Poco::Net::HTTPResponse::HTTP_BAD_REQUEST, "Bad request", "");
      return;
    }
    if (uri.getPath() != "/callback") {
      Reply(response, Poco::Net::HTTPResponse::HTTP_NOT_FOUND, "Not found",
            "This is the beets-spotify-extract login helper; it only answers /callback.");
      return;
    }
    std::string state, code, error;
    for (const auto& [key, value] : uri.getQueryParameters()) {
      if (key == "state") state = value;
      if (key == "code") code = value;
      if (key == "error") error = value;
    }
    RegisterSecret(code);
    std::unique_lock lock(state_->mutex);
    if (state_->done) {
      lock.unlock();
      Reply(response, Poco::Net::HTTPResponse::HTTP_GONE, "Already done",
            "This login has already finished. You can close this tab.");
      return;
    }
    if (state.empty() || state != state_->expected_state) {
      lock.unlock();
      Reply(response, Poco::Net::HTTPResponse::HTTP_BAD_REQUEST, "Login link not recognised",
            "This answer does not belong to the login that is waiting (the state does not "
            "match), so it was ignored. Start again with <code>beet spotify-extract "
            "--login</code> if needed.");
      return;
    }
    bool ok = error.empty() && !code.empty();
    lock.unlock();
    if (ok) {
      Reply(response, Poco::Net::HTTPResponse::HTTP_OK, "Connected to Spotify",
            "beets-spotify-extract can now read your Spotify library. You can close this "
            "tab and go back to the terminal.");
    } else {
      Reply(response, Poco::Net::HTTPResponse::HTTP_OK, "Spotify login cancelled",
            "Spotify did not grant access" +
                (error.empty() ? std::string() : " (" + Escape(error) + ")") +
                ". Nothing was saved; run <code>beet spotify-extract --login</code> to try "
                "again.");
    }
    // Signal only after the page is sent, so closing the server cannot cut it off.
    lock.lock();
    state_->done = true;
    state_->code = code;
    state_->error = ok ? "" : (error.empty() ? "no code in the answer" : error);
    state_->cv.notify_all();
  }

 private:
  static std::string Escape(const std::string& text) {
    std::string out;
    for (char c : text.substr(0, 200)) {
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == ' ') {
        out += c;
      }
    }
    return out;
  }
  static void Reply(Poco::Net::HTTPServerResponse& response,
                    Poco::Net::HTTPResponse::HTTPStatus status, const std::string& title,
                    const std::string& text) {
    std::string body = Page(title, text);
    response.setStatusAndReason(status);
    response.setContentLength(static_cast<std::streamsize>(body.size()));
    response.send() << body;
  }
  std::shared_ptr<CallbackState> state_;
};

class CallbackFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit CallbackFactory(std::shared_ptr<CallbackState> state) : state_(std::move(state)) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new CallbackHandler(state_);
  }

 private:
  std::shared_ptr<CallbackState> state_;
};

}  // namespace

LoginFlow::LoginFlow(OAuthConfig config, std::shared_ptr<HttpClient> http, TokenStore store)
    : config_(std::move(config)), http_(std::move(http)), store_(std::move(store)) {}

LoginFlow::~LoginFlow() { Stop(); }

void LoginFlow::Stop() {
  if (server_) {
    server_->stopAll(true);
    server_.reset();
  }
}

std::string LoginFlow::Start() {
  if (config_.client_id.empty()) {
    throw LoginError(
        "no Spotify client id: set spotifyextract.client_id in beets' config (create an app "
        "at https://developer.spotify.com/dashboard)");
  }
  if (config_.redirect_port < 0 || config_.redirect_port > 65535) {
    throw LoginError("redirect_port must be between 0 and 65535");
  }
  state_ = std::make_shared<CallbackState>();
  state_->expected_state = MakeState();
  verifier_ = MakeCodeVerifier();
  RegisterSecret(verifier_);
  Poco::Net::ServerSocket socket;
  try {
    // Loopback only: the callback carries the authorization code.
    socket.bind(Poco::Net::SocketAddress("127.0.0.1", static_cast<uint16_t>(config_.redirect_port)),
                /*reuseAddress=*/true, /*reusePort=*/false);
    socket.listen(8);
  } catch (const Poco::Exception& error) {
    throw LoginError("cannot listen on 127.0.0.1:" + std::to_string(config_.redirect_port) +
                     " for the login callback (" + error.displayText() +
                     "); free that port or set spotifyextract.redirect_port (and register "
                     "the matching redirect URI in the Spotify app)");
  }
  port_ = socket.address().port();
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(2);
  params->setKeepAlive(false);
  params->setTimeout(Poco::Timespan(10, 0));
  server_ = std::make_unique<Poco::Net::HTTPServer>(new CallbackFactory(state_), socket, params);
  server_->start();
  return BuildAuthorizeUrl(config_, redirect_uri(), state_->expected_state,
                           CodeChallengeS256(verifier_));
}

Token LoginFlow::Wait(std::chrono::milliseconds timeout, CancelToken* cancel) {
  if (!state_) throw LoginError("the login was not started");
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string code, error;
  {
    std::unique_lock lock(state_->mutex);
    while (!state_->done) {
      if (cancel != nullptr && cancel->IsCancelled()) {
        lock.unlock();
        Stop();
        throw CancelledError();
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        lock.unlock();
        Stop();
        throw LoginError("no answer from the browser within " +
                         std::to_string(timeout.count() / 1000) +
                         " s; run `beet spotify-extract --login` again and open the printed URL");
      }
      state_->cv.wait_for(lock, std::chrono::milliseconds(100));
    }
    code = state_->code;
    error = state_->error;
  }
  Stop();  // one answer only
  if (!error.empty()) {
    throw LoginError("Spotify login was not granted (" + error + ")");
  }
  Token token = ExchangeCode(*http_, config_, code, verifier_, redirect_uri(), cancel);
  store_.Save(token);
  return token;
}

}  // namespace spotify_extract
