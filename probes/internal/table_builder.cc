#include "probes/internal/table_builder.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "sla/objective.h"

namespace sla {
namespace probes {
namespace internal {
namespace {

absl::Status ErrnoStatus(int err, absl::string_view what,
                         const std::string& path) {
  const std::string msg =
      absl::StrCat(what, " '", path, "': ", std::strerror(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(msg);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(msg);
    default:
      return absl::InternalError(msg);
  }
}

}  // namespace

void LineErrors::Add(int64_t line, std::string message) {
  if (++count_ <= kMaxListed) listed_.emplace_back(line, std::move(message));
}

void LineErrors::Append(const LineErrors& other, int64_t line_offset) {
  for (const auto& [line, message] : other.listed_) {
    if (listed_.size() >= kMaxListed) break;
    listed_.emplace_back(line + line_offset, message);
  }
  count_ += other.count_;
}

absl::Status LineErrors::ToStatus(absl::string_view source) const {
  if (count_ == 0) return absl::OkStatus();
  std::string more;
  if (count_ > kMaxListed) {
    more = absl::StrCat("\n... and ", count_ - kMaxListed, " more bad lines");
  }
  return absl::InvalidArgumentError(
      absl::StrCat(count_, " malformed line", count_ == 1 ? "" : "s",
                   ", nothing was read:\n",
                   absl::StrJoin(listed_, "\n",
                                 [source](std::string* out, const auto& e) {
                                   absl::StrAppend(out, source, ":", e.first,
                                                   ": ", e.second);
                                 }),
                   more));
}

TableBuilder::Key TableBuilder::MakeKey(absl::string_view service,
                                        absl::string_view probe) {
  Key key{absl::string_view(), service.size()};
  if (probe.data() == service.data() + service.size() + 1 &&
      service.data()[service.size()] == ',') {
    // "service,probe" in the input already (a CSV line).
    key.joined =
        absl::string_view(service.data(), service.size() + 1 + probe.size());
  } else {
    scratch_.assign(service.data(), service.size());
    scratch_.push_back(',');
    scratch_.append(probe.data(), probe.size());
    key.joined = scratch_;
  }
  return key;
}

uint32_t TableBuilder::Remember(const Key& key, uint32_t id) {
  last_ = key;
  last_id_ = id;
  have_last_ = true;
  return id;
}

uint32_t TableBuilder::SeriesId(absl::string_view service,
                                absl::string_view probe) {
  const Key key = MakeKey(service, probe);
  if (have_last_ && last_ == key) return last_id_;
  auto it = index_.find(key);
  if (it == index_.end()) it = Insert(key);
  return Remember(it->first, it->second);
}

TableBuilder::Index::iterator TableBuilder::Insert(const Key& key) {
  series_.push_back(Series{std::string(key.joined), key.service_size});
  return index_
      .emplace(Key{series_.back().joined, key.service_size},
               static_cast<uint32_t>(series_.size() - 1))
      .first;
}

bool TableBuilder::AddChecked(absl::string_view service,
                              absl::string_view probe, ProbeResult row,
                              std::string* error) {
  const Key key = MakeKey(service, probe);
  if (!have_last_ || !(last_ == key)) {
    auto it = index_.find(key);
    if (it == index_.end()) {
      const absl::string_view names[] = {service, probe};
      for (int k = 0; k < 2; ++k) {
        if (absl::Status s = CheckNameText(names[k]); !s.ok()) {
          *error = absl::StrCat("field '", k == 0 ? "service" : "probe",
                                "': ", s.message());
          return false;
        }
      }
      it = Insert(key);
    }
    Remember(it->first, it->second);
  }
  row.sli = last_id_;
  rows_.push_back(row);
  return true;
}

void TableBuilder::Append(TableBuilder&& other) {
  std::vector<uint32_t> remap;
  remap.reserve(other.series_.size());
  for (const Series& s : other.series_) {
    const absl::string_view joined = s.joined;
    remap.push_back(SeriesId(joined.substr(0, s.service_size),
                             joined.substr(s.service_size + 1)));
  }
  const size_t offset = rows_.size();
  rows_.resize(offset + other.rows_.size());
  ProbeResult* out = rows_.data() + offset;
  for (const ProbeResult& r : other.rows_) {
    *out = r;
    out->sli = remap[r.sli];
    ++out;
  }
  other.index_.clear();
  other.series_.clear();
  other.rows_.clear();
  other.have_last_ = false;
}

absl::Status WithFileContents(const std::string& path,
                              absl::FunctionRef<void(absl::string_view)> use) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "cannot open", path);
  absl::Cleanup close_fd = [fd] { ::close(fd); };
  struct stat st;
  if (::fstat(fd, &st) != 0) return ErrnoStatus(errno, "cannot stat", path);
  if (!S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", path, "' is not a regular file"));
  }
  if (st.st_size == 0) {
    use("");
    return absl::OkStatus();
  }
  const size_t size = static_cast<size_t>(st.st_size);
  void* data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (data == MAP_FAILED) return ErrnoStatus(errno, "cannot map", path);
  absl::Cleanup unmap = [data, size] { ::munmap(data, size); };
  ::madvise(data, size, MADV_SEQUENTIAL);
  use(absl::string_view(static_cast<const char*>(data), size));
  return absl::OkStatus();
}

}  // namespace internal
}  // namespace probes
}  // namespace sla
