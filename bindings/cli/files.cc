#include "bindings/cli/files.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace sla {
namespace cli {
namespace {

std::string Prefix(absl::string_view flag) {
  return flag.empty() ? std::string() : absl::StrCat(flag, ": ");
}

}  // namespace

absl::Status MakeDirectory(const std::string& dir, absl::string_view flag) {
  if (::mkdir(dir.c_str(), 0755) == 0 || errno == EEXIST) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      Prefix(flag), "cannot create '", dir, "': ", std::strerror(errno)));
}

absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view text,
                                 absl::string_view flag) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        Prefix(flag), "cannot write '", tmp, "': ", std::strerror(errno)));
  }
  const bool written =
      std::fwrite(text.data(), 1, text.size(), f) == text.size();
  const bool closed = std::fclose(f) == 0;
  if (!written || !closed || std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    return absl::DataLossError(
        absl::StrCat(Prefix(flag), "cannot write '", path, "': ", why));
  }
  return absl::OkStatus();
}

}  // namespace cli
}  // namespace sla
