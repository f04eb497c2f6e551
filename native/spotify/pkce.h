#pragma once

#include <string>
#include <string_view>

namespace spotify_extract {

// Base64url without padding (RFC 4648 §5), as PKCE and OAuth state use it.
std::string Base64Url(std::string_view bytes);
// `count` bytes from OpenSSL's CSPRNG; throws if the generator fails.
std::string SecureRandomBytes(size_t count);
// A PKCE code verifier: 64 random bytes, base64url (86 characters, within RFC 7636's 43-128).
std::string MakeCodeVerifier();
// An OAuth state value: 24 random bytes, base64url.
std::string MakeState();
// BASE64URL(SHA256(ASCII(verifier))), the S256 code challenge.
std::string CodeChallengeS256(std::string_view verifier);

}  // namespace spotify_extract
