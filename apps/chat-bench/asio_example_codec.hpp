// asio_example_codec.hpp -- the wire format of Boost.Asio's C++11 chat example (chat_message.hpp):
// a 4-character ASCII decimal body length ("%4d", so space padded), then the body, at most 512
// bytes; no types, no login. Lets chat-bench drive that server as the peer it is measured
// against. Pure; one decoder per client, used only on that client's handlers.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace chat::bench {

inline constexpr std::size_t asio_example_header = 4;
inline constexpr std::size_t asio_example_max_body = 512;

// Appends header + body to `out`. The body must be at most asio_example_max_body bytes.
void encode_asio_example(std::vector<char>& out, std::string_view body);

class asio_example_decoder {
public:
  // Consumes [data, data + n), calling on_body(std::string_view) for every complete message in
  // order; the view is valid only during the call. Whole messages inside `data` are not copied.
  // Returns false on a header that is not a length in 0..512 (the example server closes the
  // session then); after that the decoder ignores all input.
  template <class OnBody> bool feed(const char* data, std::size_t n, OnBody&& on_body);

private:
  bool start_body(); // parses header_; false if it is no valid length

  char header_[asio_example_header] = {};
  std::size_t header_have_ = 0;
  bool in_body_ = false;
  std::size_t body_need_ = 0;
  std::string body_; // a body split across reads, so far
  bool failed_ = false;
};

template <class OnBody>
bool asio_example_decoder::feed(const char* data, std::size_t n, OnBody&& on_body) {
  while (n > 0 && !failed_) {
    if (!in_body_) {
      auto take = std::min(asio_example_header - header_have_, n);
      std::copy(data, data + take, header_ + header_have_);
      header_have_ += take;
      data += take;
      n -= take;
      if (header_have_ < asio_example_header) break;
      header_have_ = 0;
      if (!start_body()) return false;
      if (body_need_ <= n) { // fast path: the whole body is here
        on_body(std::string_view{data, body_need_});
        data += body_need_;
        n -= body_need_;
        continue;
      }
      in_body_ = true;
      body_.clear();
    }
    auto take = std::min(body_need_ - body_.size(), n);
    body_.append(data, take);
    data += take;
    n -= take;
    if (body_.size() < body_need_) break;
    in_body_ = false;
    on_body(std::string_view{body_});
  }
  return !failed_;
}

} // namespace chat::bench
