#include "apps/chat-bench/asio_example_codec.hpp"

#include <cstdio>

namespace chat::bench {

void encode_asio_example(std::vector<char>& out, std::string_view body) {
  char header[asio_example_header + 1];
  std::snprintf(header, sizeof header, "%4d", static_cast<int>(body.size()));
  out.insert(out.end(), header, header + asio_example_header);
  out.insert(out.end(), body.begin(), body.end());
}

// As strict as the example's atoi on what the example itself sends: spaces, then digits.
bool asio_example_decoder::start_body() {
  std::size_t i = 0, value = 0;
  while (i < asio_example_header && header_[i] == ' ')
    ++i;
  if (i == asio_example_header) failed_ = true;
  for (; i < asio_example_header && !failed_; ++i) {
    if (header_[i] < '0' || header_[i] > '9')
      failed_ = true;
    else
      value = value * 10 + static_cast<std::size_t>(header_[i] - '0');
  }
  if (value > asio_example_max_body) failed_ = true;
  body_need_ = value;
  return !failed_;
}

} // namespace chat::bench
