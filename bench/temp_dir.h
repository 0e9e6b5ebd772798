// bench/temp_dir.h: a fresh directory for a benchmark's data (stores, logs),
// removed with its contents on destruction. Benchmarks only.
//
//   sla::bench::TempDir dir("slakit_store_bench_ingest");
//   Open(dir.path());
//
// Under $TEST_TMPDIR (Bazel and ctest set it) or else /tmp. A directory that
// cannot be made aborts the benchmark with the reason on stderr.

#ifndef BENCH_TEMP_DIR_H_
#define BENCH_TEMP_DIR_H_

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace sla::bench {

class TempDir {
 public:
  // `prefix` names the directory: <base>/<prefix>_XXXXXX.
  explicit TempDir(absl::string_view prefix) {
    const char* base = std::getenv("TEST_TMPDIR");
    std::string templ =
        absl::StrCat(base != nullptr && *base != '\0' ? base : "/tmp", "/",
                     prefix, "_XXXXXX");
    if (::mkdtemp(templ.data()) == nullptr) {
      std::perror(templ.c_str());
      std::abort();
    }
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace sla::bench

#endif  // BENCH_TEMP_DIR_H_
