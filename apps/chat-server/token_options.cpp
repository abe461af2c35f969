#include "apps/chat-server/token_options.hpp"

namespace chat {

namespace {

// The key of `option`'s file, made by `make`, or why not.
template <class Key, class Make>
std::variant<Key, std::string> key_from(const std::string& option, const std::string& path,
                                        Make make) {
  auto file = auth::read_key_file(path);
  if (auto* why = std::get_if<std::string>(&file)) return option + ": " + *why;
  auto key = make(std::move(std::get<auth::key_file>(file).bytes));
  if (auto* why = std::get_if<std::string>(&key)) return option + ": " + *why;
  return std::get<Key>(std::move(key));
}

} // namespace

std::variant<token_verifier_ptr, std::string> make_token_verifier(const server_config& cfg) {
  if (cfg.auth != "token") return token_verifier_ptr{};
  auto key = cfg.auth_secret_file.empty()
                 ? key_from<auth::verification_key>(
                       "--auth-public-key-file", cfg.auth_public_key_file,
                       [](std::string pem) { return auth::verification_key::from_public_pem(pem); })
                 : key_from<auth::verification_key>(
                       "--auth-secret-file", cfg.auth_secret_file, [](std::string secret) {
                         return auth::verification_key::from_secret(std::move(secret));
                       });
  if (auto* why = std::get_if<std::string>(&key)) return std::move(*why);
  auto leeway = std::chrono::duration_cast<std::chrono::seconds>(cfg.auth_leeway);
  return std::make_shared<const auth::token_verifier>(
      std::get<auth::verification_key>(std::move(key)), leeway);
}

} // namespace chat
