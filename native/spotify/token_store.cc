#include "spotify/token_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "http/redact.h"
#include "spotify/errors.h"
#include "spotify/pkce.h"

namespace spotify_extract {

namespace {

std::string Errno() { return std::strerror(errno); }

void WriteAll(int fd, const std::string& data, const std::string& what) {
  size_t written = 0;
  while (written < data.size()) {
    ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw HttpError("cannot write " + what + ": " + Errno());
    }
    written += static_cast<size_t>(n);
  }
}

}  // namespace

TokenStore TokenStore::InStateDir(const std::filesystem::path& state_dir) {
  return TokenStore(state_dir / kTokenFileName);
}

std::optional<Token> TokenStore::Load() const {
  std::ifstream in(path_, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(path_)) return std::nullopt;
    throw LoginRequiredError("cannot read the Spotify token file " + path_.string() +
                             "; run `beet spotify-extract --login`");
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto json = nlohmann::json::parse(buffer.str(), nullptr, false);
  auto text = [&](const char* key) {
    return json.is_object() && json.contains(key) && json[key].is_string()
               ? json[key].get<std::string>()
               : std::string();
  };
  Token token;
  token.access_token = text("access_token");
  token.refresh_token = text("refresh_token");
  token.token_type = text("token_type");
  token.scope = text("scope");
  token.client_id = text("client_id");
  if (json.is_object() && json.contains("expires_at") && json["expires_at"].is_number()) {
    token.expires_at = json["expires_at"].get<int64_t>();
  }
  if (token.access_token.empty() && token.refresh_token.empty()) {
    throw LoginRequiredError("the Spotify token file " + path_.string() +
                             " is damaged; run `beet spotify-extract --login`");
  }
  RegisterSecret(token.access_token);
  RegisterSecret(token.refresh_token);
  return token;
}

void TokenStore::Save(const Token& token) const {
  RegisterSecret(token.access_token);
  RegisterSecret(token.refresh_token);
  std::filesystem::path dir = path_.parent_path();
  if (dir.empty()) dir = ".";
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  nlohmann::json json = {
      {"access_token", token.access_token}, {"refresh_token", token.refresh_token},
      {"token_type", token.token_type},     {"scope", token.scope},
      {"expires_at", token.expires_at},     {"client_id", token.client_id}};
  std::string data = json.dump(2) + "\n";
  std::filesystem::path temp =
      dir / ("." + path_.filename().string() + ".tmp-" + Base64Url(SecureRandomBytes(6)));
  // Created 0600 from the start: the token is never readable by others, not even briefly.
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) throw HttpError("cannot create " + temp.string() + ": " + Errno());
  try {
    WriteAll(fd, data, temp.string());
    if (::fsync(fd) != 0) throw HttpError("cannot sync " + temp.string() + ": " + Errno());
  } catch (...) {
    ::close(fd);
    ::unlink(temp.c_str());
    throw;
  }
  ::close(fd);
  if (::rename(temp.c_str(), path_.c_str()) != 0) {
    std::string reason = Errno();
    ::unlink(temp.c_str());
    throw HttpError("cannot replace " + path_.string() + ": " + reason);
  }
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

bool TokenStore::Remove() const {
  std::error_code error;
  bool removed = std::filesystem::remove(path_, error);
  if (error) throw HttpError("cannot remove " + path_.string() + ": " + error.message());
  return removed;
}

}  // namespace spotify_extract
