// data_dir_test.cpp -- chat-server's data directory going wrong (docs/PROTOCOL.md "History",
// "The store"): one held by another server, one that cannot be made, one that cannot be
// written, are errors at start; a disk that fills while the server runs is logged and the chat
// goes on from memory.
#include "tests/process/history_client.hpp"
#include "tests/support/binaries.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/scratch_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

using namespace chat::reliability;
namespace v2 = chat::v2;
namespace fs = std::filesystem;
using chat::test::scratch_dir;

TEST(DataDirTest, ADataDirectoryThatCannotBeUsedIsAnErrorAtStart) {
  scratch_dir dir;
  // Another chat-server holds it.
  server_process first{{"--data-dir=" + dir.path}};
  ASSERT_TRUE(first.started()) << first.describe();
  chat::test::child_process second{chat::test::chat_server_bin(),
                                   {"--port=0", "--data-dir=" + dir.path}};
  EXPECT_TRUE(second.wait(exit_timeout).exited_with(1));
  EXPECT_NE(second.stderr_text().find("is in use by another chat-server"), std::string::npos)
      << second.stderr_text();
  // A path that cannot be a directory.
  auto file = dir.path + "/a-file";
  { std::ofstream{file} << "x"; }
  chat::test::child_process not_dir{chat::test::chat_server_bin(),
                                    {"--port=0", "--data-dir=" + file + "/data"}};
  EXPECT_TRUE(not_dir.wait(exit_timeout).exited_with(1));
  EXPECT_NE(not_dir.stderr_text().find("cannot create data directory"), std::string::npos)
      << not_dir.stderr_text();
  // A directory this user may not write to (as root: run the server as nobody).
  auto locked = dir.path + "/locked";
  fs::create_directory(locked);
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                              fs::perms::group_exec | fs::perms::others_read |
                              fs::perms::others_exec);
  std::vector<std::string> args{"--port=0", "--data-dir=" + locked};
  std::string program = chat::test::chat_server_bin();
  if (::geteuid() == 0) {
    args.insert(args.begin(), {"--reuid=65534", "--regid=65534", "--clear-groups", program});
    program = "/usr/bin/setpriv";
    fs::permissions(dir.path, fs::perms::others_exec, fs::perm_options::add);
  }
  chat::test::child_process unwritable{program, args};
  EXPECT_TRUE(unwritable.wait(exit_timeout).exited_with(1)) << unwritable.stderr_text();
  EXPECT_NE(unwritable.stderr_text().find("cannot write to data directory " + locked),
            std::string::npos)
      << unwritable.stderr_text();
}

TEST(DataDirTest, AFullDiskIsLoggedAndTheChatGoesOn) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for a small tmpfs of its own (unshare -m)";
  scratch_dir dir;
  // A 256 KiB tmpfs in a mount namespace of the server's own: the database fills it quickly.
  server_process server{{"--data-dir=" + dir.path, "--max-broadcast-rate=0"},
                        {"/usr/bin/unshare", "-m", "sh", "-c",
                         "mount -t tmpfs -o size=256k tmpfs \"$0\" && exec \"$@\"", dir.path}};
  ASSERT_TRUE(server.started()) << server.describe();
  raw_client ann{server.port()};
  ASSERT_TRUE(v2_login(ann, "ann"));
  ASSERT_TRUE(join(ann, 1, "full", none()));
  std::string big(8000, 'x');
  int sent = 0;
  for (; sent < 200 && server.stderr_text().find("history write failed") == std::string::npos;
       ++sent) {
    ASSERT_TRUE(send_v2(ann, v2::msg_request{1, "full", big}));
    auto m = next_msg(ann);
    ASSERT_TRUE(m) << "message " << sent << ": " << ann.failure();
    EXPECT_EQ(m->offset, static_cast<uint64_t>(sent + 1));
  }
  EXPECT_TRUE(server.wait_for_log("history write failed", io_timeout)) << server.stderr_text();
  EXPECT_GT(sent, 3) << "the store wrote something before the disk filled";
  auto log = server.stderr_text();
  auto failed = log.find("history write failed");
  std::cout << "[ history  ] the 256 KiB disk was full after " << sent
            << " messages of 8000 bytes: " << log.substr(failed, log.find('\n', failed) - failed)
            << std::endl;
  // The chat goes on, from memory.
  EXPECT_EQ(say(ann, "full", "still-", 3), static_cast<uint64_t>(sent + 3));
  auto stopped = server.stop();
  EXPECT_TRUE(stopped.status.exited_with(0)) << stopped.status;
  EXPECT_NE(server.stderr_text().find("the next start gives every channel a new epoch"),
            std::string::npos)
      << server.stderr_text();
}
} // namespace
