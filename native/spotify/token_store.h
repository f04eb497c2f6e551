#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace spotify_extract {

struct Token {
  std::string access_token;
  std::string refresh_token;
  std::string token_type = "Bearer";
  std::string scope;
  int64_t expires_at = 0;  // Unix seconds
  std::string client_id;   // the app the login belongs to
};

// The token file `spotify_extract_token.json` in state_dir: created with mode 0600 (never
// chmod-ed afterwards), replaced atomically (temp file + fsync + rename), never logged.
class TokenStore {
 public:
  explicit TokenStore(std::filesystem::path path) : path_(std::move(path)) {}
  static TokenStore InStateDir(const std::filesystem::path& state_dir);

  // Nothing when the file does not exist; LoginRequiredError when it is unreadable/garbled.
  std::optional<Token> Load() const;
  void Save(const Token& token) const;
  // True when a file was removed.
  bool Remove() const;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline constexpr const char* kTokenFileName = "spotify_extract_token.json";

}  // namespace spotify_extract
