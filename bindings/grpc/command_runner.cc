#include "bindings/grpc/command_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "sla/window.h"

extern char** environ;

namespace sla::server {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Longest timeout honoured; longer ones (absl::InfiniteDuration()) are cut
// to it so that deadlines do not overflow.
constexpr absl::Duration kMaxTimeout = absl::Hours(24 * 365);
// Bytes per read() or write(); the read buffer is on the stack.
constexpr size_t kChunk = 16 * 1024;

// Owns one file descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { Close(); }

  int get() const { return fd_; }
  bool open() const { return fd_ >= 0; }
  void Reset(int fd) {
    Close();
    fd_ = fd;
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

absl::Status ErrnoStatus(absl::string_view what, int err) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(err)));
}

// A close-on-exec pipe whose ends are both above 2, so that the child's
// dup2()s onto 0, 1 and 2 cannot clobber one another.
absl::Status MakePipe(UniqueFd* read_end, UniqueFd* write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return ErrnoStatus("pipe2", errno);
  for (int& fd : fds) {
    if (fd > 2) continue;
    const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    const int err = errno;
    ::close(fd);
    fd = moved;
    if (moved < 0) {
      for (int other : fds) {
        if (other >= 0) ::close(other);
      }
      return ErrnoStatus("fcntl(F_DUPFD_CLOEXEC)", err);
    }
  }
  read_end->Reset(fds[0]);
  write_end->Reset(fds[1]);
  return absl::OkStatus();
}

void SetNonBlocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

// Keeps the last kOutputTail bytes of a stream (amortized: trims at 2x).
void AppendTail(std::string* tail, const char* data, size_t n) {
  tail->append(data, n);
  if (tail->size() > 2 * kOutputTail) {
    tail->erase(0, tail->size() - kOutputTail);
  }
}

// Reads what is available; closes `fd` at end of file or on an error.
void Drain(UniqueFd* fd, std::string* tail) {
  char buf[kChunk];
  while (fd->open()) {
    const ssize_t n = ::read(fd->get(), buf, sizeof(buf));
    if (n > 0) {
      AppendTail(tail, buf, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return;
    } else {
      fd->Close();  // EOF or error
    }
  }
}

// The caller's environment with `extra` ("NAME=value") added or replacing.
std::vector<std::string> MergedEnvironment(
    const std::vector<std::string>& extra) {
  absl::flat_hash_set<absl::string_view> names;
  for (const std::string& e : extra) {
    names.insert(absl::string_view(e).substr(0, e.find('=')));
  }
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const absl::string_view entry(*e);
    if (names.contains(entry.substr(0, entry.find('=')))) continue;
    env.emplace_back(entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

int CeilMillis(SteadyClock::duration d) {
  if (d <= SteadyClock::duration::zero()) return 0;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(d).count();
  return static_cast<int>(std::min<decltype(ms)>(ms, 1 << 30));
}

// Blocks SIGPIPE in the calling thread for its lifetime; on destruction,
// consumes a SIGPIPE that became pending meanwhile (one our writes raised)
// and restores the mask.
class ScopedSigpipeBlock {
 public:
  ScopedSigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    was_pending_ = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ScopedSigpipeBlock(const ScopedSigpipeBlock&) = delete;
  ScopedSigpipeBlock& operator=(const ScopedSigpipeBlock&) = delete;
  ~ScopedSigpipeBlock() {
    if (!was_pending_) {
      const timespec zero = {0, 0};
      while (sigtimedwait(&pipe_, nullptr, &zero) == SIGPIPE) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t pipe_;
  sigset_t old_;
  bool was_pending_ = false;
};

// posix_spawn attributes and file actions, destroyed with the object.
class SpawnSetup {
 public:
  SpawnSetup() {
    posix_spawnattr_init(&attr_);
    posix_spawn_file_actions_init(&actions_);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions_);
    posix_spawnattr_destroy(&attr_);
  }

  // 0 or an errno value.
  int Init(int stdin_fd, int stdout_fd, int stderr_fd) {
    sigset_t none;
    sigset_t all;
    sigemptyset(&none);
    sigfillset(&all);
    int rc = 0;
    if ((rc = posix_spawnattr_setflags(
             &attr_, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                         POSIX_SPAWN_SETSIGDEF)) != 0 ||
        (rc = posix_spawnattr_setpgroup(&attr_, 0)) != 0 ||
        (rc = posix_spawnattr_setsigmask(&attr_, &none)) != 0 ||
        (rc = posix_spawnattr_setsigdefault(&attr_, &all)) != 0 ||
        (rc = posix_spawn_file_actions_adddup2(&actions_, stdin_fd, 0)) != 0 ||
        (rc = posix_spawn_file_actions_adddup2(&actions_, stdout_fd, 1)) != 0 ||
        (rc = posix_spawn_file_actions_adddup2(&actions_, stderr_fd, 2)) != 0) {
      return rc;
    }
#if defined(__GLIBC__) && defined(__GLIBC_PREREQ)
#if __GLIBC_PREREQ(2, 34)
    // Descriptors the caller did not mark close-on-exec (a listening
    // socket, say) must not outlive it in a long-running child.
    if ((rc = posix_spawn_file_actions_addclosefrom_np(&actions_, 3)) != 0) {
      return rc;
    }
#endif
#endif
    return 0;
  }

  const posix_spawnattr_t* attr() const { return &attr_; }
  const posix_spawn_file_actions_t* actions() const { return &actions_; }

 private:
  posix_spawnattr_t attr_;
  posix_spawn_file_actions_t actions_;
};

std::string SignalName(int sig) {
#if defined(__GLIBC__) && defined(__GLIBC_PREREQ)
#if __GLIBC_PREREQ(2, 32)
  if (const char* abbrev = sigabbrev_np(sig)) {
    return absl::StrCat(sig, " (SIG", abbrev, ")");
  }
#endif
#endif
  return absl::StrCat(sig);
}

// The first non-blank line of `text`, trimmed, at most 200 bytes.
std::string FirstLine(absl::string_view text) {
  text = absl::StripLeadingAsciiWhitespace(text);
  text = text.substr(0, text.find('\n'));
  text = absl::StripTrailingAsciiWhitespace(text);
  return std::string(text.substr(0, 200));
}

}  // namespace

absl::StatusOr<CommandResult> RunCommand(
    const std::vector<std::string>& argv, absl::string_view stdin_data,
    absl::Duration timeout, const std::vector<std::string>& extra_env) {
  if (argv.empty() || argv[0].empty()) {
    return absl::InvalidArgumentError("command: empty argv (no program)");
  }
  if (timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("command '", argv[0], "': timeout ",
                     absl::FormatDuration(timeout), " is not positive"));
  }
  for (const std::string& e : extra_env) {
    if (e.find('=') == std::string::npos || e[0] == '=') {
      return absl::InvalidArgumentError(absl::StrCat("command '", argv[0],
                                                     "': environment entry '",
                                                     e, "' is not NAME=value"));
    }
  }
  timeout = std::min(timeout, kMaxTimeout);

  std::vector<std::string> args = argv;
  std::vector<char*> c_args = CStrings(args);
  std::vector<std::string> env = MergedEnvironment(extra_env);
  std::vector<char*> c_env = CStrings(env);

  UniqueFd in_r, in_w, out_r, out_w, err_r, err_w;
  if (absl::Status s = MakePipe(&in_r, &in_w); !s.ok()) return s;
  if (absl::Status s = MakePipe(&out_r, &out_w); !s.ok()) return s;
  if (absl::Status s = MakePipe(&err_r, &err_w); !s.ok()) return s;

  SpawnSetup setup;
  if (int rc = setup.Init(in_r.get(), out_w.get(), err_w.get()); rc != 0) {
    return ErrnoStatus("posix_spawn setup", rc);
  }

  // Blocked before the child exists, so that every write to its stdin is
  // covered; the child gets an empty mask (POSIX_SPAWN_SETSIGMASK).
  ScopedSigpipeBlock no_sigpipe;

  const bool search_path = argv[0].find('/') == std::string::npos;
  const SteadyClock::time_point start = SteadyClock::now();
  pid_t pid = 0;
  // glibc's posix_spawn reports exec failures (ENOENT, EACCES...) as its
  // result, after reaping the failed child itself.
  const int rc = search_path
                     ? posix_spawnp(&pid, c_args[0], setup.actions(),
                                    setup.attr(), c_args.data(), c_env.data())
                     : posix_spawn(&pid, c_args[0], setup.actions(),
                                   setup.attr(), c_args.data(), c_env.data());
  if (rc != 0) {
    const std::string where =
        absl::StrCat("command '", argv[0], "'", search_path ? " (PATH)" : "",
                     ": ", std::strerror(rc));
    switch (rc) {
      case ENOENT:
      case ENOTDIR:
        return absl::NotFoundError(where);
      case EACCES:
      case EPERM:
        return absl::PermissionDeniedError(where);
      default:
        return absl::InternalError(absl::StrCat(where, " (posix_spawn)"));
    }
  }
  in_r.Close();
  out_w.Close();
  err_w.Close();

  CommandResult result;
  result.pid = pid;
  result.timeout = timeout;
  SetNonBlocking(in_w.get());
  SetNonBlocking(out_r.get());
  SetNonBlocking(err_r.get());
  size_t written = 0;
  if (stdin_data.empty()) in_w.Close();

  const SteadyClock::time_point deadline =
      start + absl::ToChronoNanoseconds(timeout);
  SteadyClock::time_point kill_at;      // SIGKILL time, once SIGTERM was sent
  SteadyClock::time_point drain_until;  // once the child exited
  bool exited = false;
  bool killed = false;

  while (true) {
    const SteadyClock::time_point now = SteadyClock::now();
    if (!exited) {
      // WNOWAIT: the child stays a zombie, so its pid (our process group
      // id) cannot be reused before the group is signalled below.
      siginfo_t info;
      std::memset(&info, 0, sizeof(info));
      const int w = ::waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT);
      // ECHILD: reaped behind our back (SIGCHLD ignored, or waitpid(-1)
      // elsewhere); reported below.
      if ((w == 0 && info.si_pid == pid) || (w < 0 && errno == ECHILD)) {
        exited = true;
        drain_until = now + absl::ToChronoNanoseconds(kDrainAfterExit);
        in_w.Close();
        // After a timeout, nothing of the group may survive it (only while
        // the pid is still ours, i.e. not after ECHILD).
        if (result.timed_out && w == 0) ::kill(-pid, SIGKILL);
      }
    }
    const bool outputs_open = out_r.open() || err_r.open();
    if (exited) {
      if (!outputs_open || now >= drain_until) break;
    } else if (!result.timed_out && now >= deadline) {
      result.timed_out = true;
      ::kill(-pid, SIGTERM);
      kill_at = now + absl::ToChronoNanoseconds(kTermGrace);
    } else if (result.timed_out && !killed && now >= kill_at) {
      killed = true;
      ::kill(-pid, SIGKILL);
    }

    // Wake for the next deadline, and every few ms to notice an exit that
    // closes no pipe (a child whose outputs are closed or held by others).
    SteadyClock::time_point wake = deadline;
    if (exited) {
      wake = drain_until;
    } else if (result.timed_out) {
      wake = killed ? now + std::chrono::milliseconds(5) : kill_at;
    }
    const int slice_ms = outputs_open ? 50 : 5;
    const int wait_ms = std::min(CeilMillis(wake - now), slice_ms);

    pollfd fds[3];
    int n = 0;
    int in_i = -1, out_i = -1, err_i = -1;
    if (in_w.open()) {
      in_i = n;
      fds[n++] = {in_w.get(), POLLOUT, 0};
    }
    if (out_r.open()) {
      out_i = n;
      fds[n++] = {out_r.get(), POLLIN, 0};
    }
    if (err_r.open()) {
      err_i = n;
      fds[n++] = {err_r.get(), POLLIN, 0};
    }
    const int ready = ::poll(fds, n, wait_ms);
    if (ready < 0 && errno != EINTR) {
      // Cannot happen with valid descriptors; do not spin.
      ::kill(-pid, SIGKILL);
      killed = true;
    }
    if (ready <= 0) continue;

    if (in_i >= 0 && fds[in_i].revents != 0) {
      while (in_w.open() && written < stdin_data.size()) {
        const size_t len = std::min(kChunk, stdin_data.size() - written);
        const ssize_t w = ::write(in_w.get(), stdin_data.data() + written, len);
        if (w > 0) {
          written += static_cast<size_t>(w);
        } else if (w < 0 && errno == EINTR) {
          continue;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
          break;
        } else {
          in_w.Close();  // EPIPE: the child does not read its stdin
        }
      }
      if (written == stdin_data.size()) in_w.Close();
    }
    if (out_i >= 0 && fds[out_i].revents != 0) {
      Drain(&out_r, &result.stdout_tail);
    }
    if (err_i >= 0 && fds[err_i].revents != 0) {
      Drain(&err_r, &result.stderr_tail);
    }
  }

  int status = 0;
  pid_t reaped;
  while ((reaped = ::waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
  }
  if (reaped != pid) {
    return absl::InternalError(
        absl::StrCat("command '", argv[0],
                     "': its exit status was lost (the child was "
                     "reaped elsewhere: SIGCHLD ignored?)"));
  }
  result.took = absl::FromChrono(SteadyClock::now() - start);
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  for (std::string* tail : {&result.stdout_tail, &result.stderr_tail}) {
    if (tail->size() > kOutputTail) tail->erase(0, tail->size() - kOutputTail);
  }
  return result;
}

absl::Status CommandStatus(const CommandResult& result) {
  if (result.timed_out) {
    return absl::DeadlineExceededError(
        absl::StrCat("timed out after ", DurationToString(result.timeout)));
  }
  if (result.exit_code == 0 && result.signal == 0) return absl::OkStatus();
  std::string message =
      result.signal != 0
          ? absl::StrCat("killed by signal ", SignalName(result.signal))
          : absl::StrCat("exit ", result.exit_code);
  const std::string line = FirstLine(result.stderr_tail);
  if (!line.empty()) absl::StrAppend(&message, ": ", line);
  return absl::InternalError(message);
}

}  // namespace sla::server
