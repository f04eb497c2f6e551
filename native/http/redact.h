#pragma once

#include <string>
#include <string_view>

namespace spotify_extract {

// Secrets (tokens, codes, verifiers, client secrets) are registered once they exist and
// scrubbed from every message the engine produces; well-known token shapes (Bearer
// headers, access_token/refresh_token/code fields in JSON or forms) are scrubbed too.
void RegisterSecret(std::string_view secret);
std::string Redact(std::string_view text);

}  // namespace spotify_extract
