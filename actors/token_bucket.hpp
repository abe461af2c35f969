// token_bucket.hpp -- an allowance of events per second with a burst: flood control.
// Owned by one session actor (no locking); time comes from the caller, so tests use CAF's
// virtual clock.
#pragma once

#include <algorithm>
#include <chrono>

namespace chat {

template <class Clock> class token_bucket {
public:
  using time_point = typename Clock::time_point;

  token_bucket() = default; // unlimited

  // `rate` tokens per second up to `burst` tokens; rate <= 0 means no limit at all.
  token_bucket(double rate, double burst, time_point now)
      : rate_(rate), burst_(std::max(burst, 1.0)), tokens_(burst_), refilled_(now) {}

  // Takes one token if there is one.
  bool take(time_point now) {
    if (rate_ <= 0) return true;
    refill(now);
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

  // How long until a token is there (zero: now). Takes nothing.
  std::chrono::nanoseconds wait(time_point now) {
    if (rate_ <= 0) return std::chrono::nanoseconds{0};
    refill(now);
    if (tokens_ >= 1) return std::chrono::nanoseconds{0};
    std::chrono::duration<double> missing{(1 - tokens_) / rate_};
    // Rounded up; should rounding still leave a sliver missing, the caller just waits again.
    return std::max(std::chrono::ceil<std::chrono::nanoseconds>(missing),
                    std::chrono::nanoseconds{1});
  }

private:
  void refill(time_point now) {
    std::chrono::duration<double> elapsed = now - refilled_;
    refilled_ = now;
    tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
  }

  double rate_ = 0;
  double burst_ = 1;
  double tokens_ = 0;
  time_point refilled_{};
};

} // namespace chat
