// wait_memory.hpp -- room inside a connection for the one readiness wait it keeps pending, so an
// idle connection's wait takes no heap block of its own. Asio allocates a pending operation
// through its handler's associated allocator; tcp_connection binds wait_allocator to its read
// wait (asio::bind_allocator). Loop only: the wait is started and completed on one thread.
#pragma once

#include "transport/exact_allocator.hpp"

#include <cstddef>
#include <new>

namespace chat::transport {

class wait_memory {
public:
  // Asio's readiness wait on a socket of this build (io_uring or epoll) fits; a larger or a
  // second operation falls back to the heap, so a change in Asio costs memory, not correctness.
  static constexpr std::size_t capacity = 128;

  wait_memory() = default;
  wait_memory(const wait_memory&) = delete;
  wait_memory& operator=(const wait_memory&) = delete;

  void* allocate(std::size_t n, std::size_t align) {
    if (n <= capacity && align <= alignment && !in_use_) {
      in_use_ = true;
      return storage_;
    }
    return exact_new(n, align);
  }

  // Whether an operation is in the room now (tests: the build's wait fits it).
  bool in_use() const { return in_use_; }

  void deallocate(void* p, std::size_t align) noexcept {
    if (p == static_cast<void*>(storage_))
      in_use_ = false;
    else
      exact_delete(p, align);
  }

private:
  // A pointer's alignment is what Asio's operations need (pointers and sizes); 16 would pad
  // the connection by 8 more bytes for nothing.
  static constexpr std::size_t alignment = alignof(void*);
  alignas(alignment) unsigned char storage_[capacity];
  bool in_use_ = false;
};

template <class T> class wait_allocator {
public:
  using value_type = T;

  explicit wait_allocator(wait_memory& memory) noexcept : memory_(&memory) {}
  template <class U>
  wait_allocator(const wait_allocator<U>& other) noexcept : memory_(other.memory_) {}

  T* allocate(std::size_t n) {
    return static_cast<T*>(memory_->allocate(sizeof(T) * n, alignof(T)));
  }
  void deallocate(T* p, std::size_t) noexcept { memory_->deallocate(p, alignof(T)); }

  template <class U> bool operator==(const wait_allocator<U>& other) const noexcept {
    return memory_ == other.memory_;
  }
  template <class U> bool operator!=(const wait_allocator<U>& other) const noexcept {
    return memory_ != other.memory_;
  }

private:
  template <class> friend class wait_allocator;
  wait_memory* memory_;
};

} // namespace chat::transport
