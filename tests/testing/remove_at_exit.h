// Scratch files of test programs, removed when the program exits.
//
// Purpose: ctest runs each gtest case as its own process with TempDir() =
// /tmp, so a helper that makes "/tmp/store_test_<name>_<pid>_<n>" per test
// would leave one directory per case and run behind. RemoveAtExit(path)
// registers a file or directory to be removed (recursively) at normal exit,
// whether the test passed or failed; a test that wants to keep its files
// for a post-mortem prints what matters in its failure message instead.
//
// Example:
//   std::string NewDir(absl::string_view name) {
//     std::string dir = absl::StrCat(::testing::TempDir(), "/x_", name);
//     slakit_testing::RemoveAtExit(dir);
//     return dir;
//   }
//
// Thread-safety: RemoveAtExit may be called from any thread. Errors while
// removing are ignored (the path may never have been made). A forked child
// that exits removes nothing: only the process that registered a path does.
#ifndef SLAKIT_TESTS_TESTING_REMOVE_AT_EXIT_H_
#define SLAKIT_TESTS_TESTING_REMOVE_AT_EXIT_H_

#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace slakit_testing {

inline void RemoveAtExit(std::string path) {
  struct Registry {
    std::mutex mu;
    std::vector<std::pair<pid_t, std::string>> paths;
    ~Registry() {
      for (const auto& [pid, p] : paths) {
        if (pid != ::getpid()) continue;
        std::error_code ignored;
        std::filesystem::remove_all(p, ignored);
      }
    }
  };
  static Registry registry;  // destroyed at exit, after main returns
  std::lock_guard<std::mutex> lock(registry.mu);
  registry.paths.emplace_back(::getpid(), std::move(path));
}

}  // namespace slakit_testing

#endif  // SLAKIT_TESTS_TESTING_REMOVE_AT_EXIT_H_
