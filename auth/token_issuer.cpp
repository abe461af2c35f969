#include "auth/token_issuer.hpp"

#include "auth/base64url.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace chat::auth {

std::string issue_token(const signing_key& key, const token_request& request,
                        std::chrono::system_clock::time_point now) {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  boost::json::object header;
  header["alg"] = jose_name(key.alg());
  header["typ"] = "JWT";
  boost::json::object claims;
  claims["sub"] = request.subject;
  claims["iat"] = seconds;
  claims["exp"] = seconds + request.ttl.count();
  if (request.not_before) claims["nbf"] = seconds + request.not_before->count();
  if (request.channels) {
    boost::json::array list;
    for (auto& c : *request.channels)
      list.emplace_back(c);
    claims["channels"] = std::move(list);
  }
  return sign_token(key, boost::json::serialize(header), boost::json::serialize(claims));
}

std::string sign_token(const signing_key& key, std::string_view header_json,
                       std::string_view claims_json) {
  auto signed_part = base64url_encode(header_json) + '.' + base64url_encode(claims_json);
  return signed_part + '.' + base64url_encode(key.sign(signed_part));
}

} // namespace chat::auth
