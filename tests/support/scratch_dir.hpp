// scratch_dir.hpp -- a fresh directory under /tmp for one test, removed with everything in it
// when the test is done. Used by the store tests and benchmarks and the history process tests.
#pragma once

#include <filesystem>
#include <string>

#include <stdlib.h>

namespace chat::test {

struct scratch_dir {
  scratch_dir() {
    char pattern[] = "/tmp/cafchat-test-XXXXXX";
    if (char* made = ::mkdtemp(pattern)) path = made;
  }
  ~scratch_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  std::string path;
};

} // namespace chat::test
