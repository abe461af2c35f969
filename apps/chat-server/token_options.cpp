#include "apps/chat-server/token_options.hpp"

#include "auth/token_issuer.hpp"

#include <ostream>

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

int print_issued_token(const char* program, const server_config& cfg, std::ostream& out,
                       std::ostream& err) {
  auto key = cfg.auth_secret_file.empty()
                 ? key_from<auth::signing_key>(
                       "--auth-private-key-file", cfg.auth_private_key_file,
                       [](std::string pem) { return auth::signing_key::from_private_pem(pem); })
                 : key_from<auth::signing_key>(
                       "--auth-secret-file", cfg.auth_secret_file, [](std::string secret) {
                         return auth::signing_key::from_secret(std::move(secret));
                       });
  if (auto* why = std::get_if<std::string>(&key)) {
    err << program << ": " << *why << '\n';
    return 1;
  }
  auth::token_request request;
  request.subject = cfg.issue_token;
  request.ttl = std::chrono::duration_cast<std::chrono::seconds>(cfg.ttl);
  if (!cfg.channels.empty()) request.channels = cfg.channel_list();
  auto token = auth::issue_token(std::get<auth::signing_key>(key), request,
                                 std::chrono::system_clock::now());
  out << token << '\n' << std::flush;
  return 0;
}

} // namespace chat
