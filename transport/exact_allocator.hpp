// exact_allocator.hpp -- an allocator that Asio uses as it is: an operation bound to it takes a
// heap block of exactly its own size. ws_connection binds its read to it.
//
// Why: for a handler with std::allocator, Asio takes the operation's memory from a per-thread
// cache of blocks earlier operations freed, so a read that then stays pending (an idle
// connection's) keeps whatever larger block the thread had freed last: a WebSocket's kept the
// block of its handshake's HTTP 101 write (BENCHMARKS.md "An idle WebSocket connection").
#pragma once

#include <cstddef>
#include <new>

namespace chat::transport {

// A heap block of exactly `n` bytes aligned to `align`, and its release (with the same `align`):
// what exact_allocator does, and wait_memory once its room is taken.
inline void* exact_new(std::size_t n, std::size_t align) {
  if (align > __STDCPP_DEFAULT_NEW_ALIGNMENT__) return ::operator new (n, std::align_val_t{align});
  return ::operator new(n);
}

inline void exact_delete(void* p, std::size_t align) noexcept {
  if (align > __STDCPP_DEFAULT_NEW_ALIGNMENT__)
    ::operator delete (p, std::align_val_t{align});
  else
    ::operator delete(p);
}

template <class T> class exact_allocator {
public:
  using value_type = T;

  exact_allocator() noexcept = default;
  template <class U> exact_allocator(const exact_allocator<U>&) noexcept {}

  T* allocate(std::size_t n) { return static_cast<T*>(exact_new(n * sizeof(T), alignof(T))); }
  void deallocate(T* p, std::size_t) noexcept { exact_delete(p, alignof(T)); }

  template <class U> bool operator==(const exact_allocator<U>&) const noexcept { return true; }
  template <class U> bool operator!=(const exact_allocator<U>&) const noexcept { return false; }
};

} // namespace chat::transport
