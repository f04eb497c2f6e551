// The Poco transport against a real local HTTP server: gzip, keep-alive reuse, truncation.
#include "http/transport.h"

#include <Poco/DeflatingStream.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnection.h>
#include <gtest/gtest.h>

#include <atomic>
#include <sstream>

#include "http/errors.h"

namespace spotify_extract {
namespace {

std::string Gzip(const std::string& text) {
  std::ostringstream out;
  Poco::DeflatingOutputStream deflater(out, Poco::DeflatingStreamBuf::STREAM_GZIP);
  deflater << text;
  deflater.close();
  return out.str();
}

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    std::string body = R"({"path":")" + request.getURI() + R"("})";
    if (request.getURI() == "/gzip") {
      EXPECT_NE(request.get("Accept-Encoding", "").find("gzip"), std::string::npos);
      response.set("Content-Encoding", "gzip");
      body = Gzip(R"({"compressed":true})");
    }
    response.setContentType("application/json");
    response.setContentLength(static_cast<std::streamsize>(body.size()));
    response.send() << body;
  }
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Handler;
  }
};

// Answers with a Content-Length larger than the body, then closes.
class Truncating : public Poco::Net::TCPServerConnection {
 public:
  using TCPServerConnection::TCPServerConnection;
  void run() override {
    char buffer[4096];
    socket().receiveBytes(buffer, sizeof buffer);
    std::string reply =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
        R"({"items":[1,2)";
    socket().sendBytes(reply.data(), static_cast<int>(reply.size()));
    socket().shutdown();
  }
};

// A keep-alive server on raw sockets that counts requests; the `truncate_request`-th request
// (1-based, over all connections) gets half its body and a close, and with `close_after_first`
// every connection is closed after its first answer (as a server closes idle connections).
std::atomic<int> g_requests{0};
int g_truncate_request = 0;
bool g_close_after_first = false;

class Counting : public Poco::Net::TCPServerConnection {
 public:
  using TCPServerConnection::TCPServerConnection;
  void run() override {
    std::string pending;
    char buffer[4096];
    for (;;) {
      while (pending.find("\r\n\r\n") == std::string::npos) {
        int n = socket().receiveBytes(buffer, sizeof buffer);
        if (n <= 0) return;
        pending.append(buffer, static_cast<size_t>(n));
      }
      pending.erase(0, pending.find("\r\n\r\n") + 4);
      int number = ++g_requests;
      std::string body = R"({"request":)" + std::to_string(number) + "}";
      std::string head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\n";
      if (number == g_truncate_request) {
        std::string reply = head + "Connection: close\r\n\r\n" + body.substr(0, body.size() / 2);
        socket().sendBytes(reply.data(), static_cast<int>(reply.size()));
        socket().shutdown();
        return;
      }
      std::string reply = head + "\r\n" + body;
      socket().sendBytes(reply.data(), static_cast<int>(reply.size()));
      if (g_close_after_first) {
        socket().shutdown();
        return;
      }
    }
  }
};

// Found by the fault soak: a truncated answer on a kept-alive connection was re-sent at
// once on a fresh connection, so every truncation cost two requests, skipped the backoff and
// an outage took twice the attempts it should to stop a run.
TEST(PocoTransportTest, ATruncatedAnswerOnAReusedConnectionIsNotResentAtOnce) {
  g_requests = 0;
  g_truncate_request = 2;
  g_close_after_first = false;
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  Poco::Net::TCPServer server(new Poco::Net::TCPServerConnectionFactoryImpl<Counting>(), socket);
  server.start();
  PocoTransport transport({});
  HttpRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(socket.address().port()) + "/v1/me/albums";
  EXPECT_EQ(transport.RoundTrip(request).body, R"({"request":1})");
  try {
    transport.RoundTrip(request);  // the kept-alive connection; the answer is cut short
    FAIL() << "expected a TransportError";
  } catch (const TransportError& error) {
    EXPECT_NE(std::string(error.what()).find("truncated"), std::string::npos) << error.what();
  }
  EXPECT_EQ(g_requests.load(), 2);  // not re-sent: the caller retries with backoff
  EXPECT_EQ(transport.RoundTrip(request).body, R"({"request":3})");
  server.stop();
}

TEST(PocoTransportTest, AConnectionTheServerClosedWhileIdleIsRetriedOnAFreshOne) {
  g_requests = 0;
  g_truncate_request = 0;
  g_close_after_first = true;
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  Poco::Net::TCPServer server(new Poco::Net::TCPServerConnectionFactoryImpl<Counting>(), socket);
  server.start();
  PocoTransport transport({});
  HttpRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(socket.address().port()) + "/v1/me";
  EXPECT_EQ(transport.RoundTrip(request).body, R"({"request":1})");
  EXPECT_EQ(transport.RoundTrip(request).body, R"({"request":2})");  // stale, then fresh
  EXPECT_EQ(transport.connections_opened(), 2u);
  server.stop();
}

TEST(PocoTransportTest, DecodesGzipAndReusesConnections) {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  Poco::Net::HTTPServer server(new Factory, socket, new Poco::Net::HTTPServerParams);
  server.start();
  std::string base = "http://127.0.0.1:" + std::to_string(socket.address().port());
  PocoTransport transport({});
  HttpRequest request;
  request.url = base + "/gzip";
  HttpResponse response = transport.RoundTrip(request);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, R"({"compressed":true})");
  for (int i = 0; i < 5; ++i) {
    request.url = base + "/v1/me?x=" + std::to_string(i);
    response = transport.RoundTrip(request);
    EXPECT_EQ(response.body, R"({"path":"/v1/me?x=)" + std::to_string(i) + R"("})");
  }
  EXPECT_EQ(transport.connections_opened(), 1u);
  server.stop();
}

TEST(PocoTransportTest, TruncatedBodyIsATransportError) {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  Poco::Net::TCPServer server(new Poco::Net::TCPServerConnectionFactoryImpl<Truncating>(), socket);
  server.start();
  PocoTransport transport({});
  HttpRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(socket.address().port()) + "/v1/me/tracks";
  try {
    transport.RoundTrip(request);
    FAIL() << "expected a TransportError";
  } catch (const TransportError& error) {
    EXPECT_NE(std::string(error.what()).find("truncated"), std::string::npos) << error.what();
  }
  server.stop();
}

TEST(PocoTransportTest, RefusedConnectionIsATransportErrorAndBadSchemeIsNot) {
  int port;
  {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    port = socket.address().port();
  }
  PocoTransport transport({});
  HttpRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  EXPECT_THROW(transport.RoundTrip(request), TransportError);
  request.url = "ftp://127.0.0.1/";
  EXPECT_THROW(transport.RoundTrip(request), HttpError);
}

TEST(PocoTransportTest, MissingCaFileIsAClearTlsError) {
  TransportOptions options;
  options.ca_file = "/nonexistent/ca.pem";
  PocoTransport transport(options);
  HttpRequest request;
  request.url = "https://127.0.0.1:1/";
  try {
    transport.RoundTrip(request);
    FAIL();
  } catch (const TlsError& error) {
    EXPECT_NE(std::string(error.what()).find("/nonexistent/ca.pem"), std::string::npos);
  }
}

}  // namespace
}  // namespace spotify_extract
