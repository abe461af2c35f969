/* io_uring_probe.c -- configure-time check that this kernel lets us create a ring.
 * Run by CMake's try_run; exit 0 means the io_uring backend can be the default. */
#include <liburing.h>

int main(void) {
  struct io_uring ring;
  if (io_uring_queue_init(8, &ring, 0) != 0) return 1;
  io_uring_queue_exit(&ring);
  return 0;
}
