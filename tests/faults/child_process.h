// tests/faults/child_process.h: runs tests/faults/fault_helper as a child
// process, with extra environment variables (the LD_PRELOAD shim's), and
// hands its stdout to the test line by line as it arrives. Test-only;
// header-only; not thread-safe (one child at a time per caller).
//
//   faults::Child child = faults::Child::Start(
//       {HelperPath(), "loop", dir, "0", "40", "5"},
//       {"LD_PRELOAD=" + ShimPath(), "SLAKIT_FAULT_KILL_AT=rename"});
//   std::string line;
//   while (child.ReadLine(&line)) { ... child.Kill(); ... }
//   int status = child.Wait();   // waitpid(2) status

#ifndef TESTS_FAULTS_CHILD_PROCESS_H_
#define TESTS_FAULTS_CHILD_PROCESS_H_

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

extern char** environ;

namespace sla::faults {

// The path of a file the build passes in `env_name` (Bazel: the test's env
// attribute) or, failing that, as a compile-time default (CMake).
inline std::string BuildPath(const char* env_name, const char* fallback) {
  const char* v = std::getenv(env_name);
  if (v != nullptr && *v != '\0') {
    std::string path = v;
    // Bazel passes paths relative to the runfiles directory, the test's
    // working directory.
    if (path[0] != '/') {
      char cwd[4096];
      if (::getcwd(cwd, sizeof(cwd)) != nullptr)
        path = std::string(cwd) + "/" + path;
    }
    return path;
  }
  return fallback;
}

class Child {
 public:
  // fork + execve of argv[0] with the current environment plus `env`; its
  // stdout is a pipe read by ReadLine, its stderr goes to `stderr_path`
  // (appended; empty: inherited). pid() < 0 if the fork failed.
  static Child Start(const std::vector<std::string>& argv,
                     const std::vector<std::string>& env,
                     const std::string& stderr_path = "") {
    Child c;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return c;
    std::vector<std::string> envs;
    for (char** e = environ; *e != nullptr; ++e) envs.emplace_back(*e);
    for (const std::string& e : env) envs.push_back(e);
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::dup2(fds[1], 1);
      if (!stderr_path.empty()) {
        const int fd = ::open(stderr_path.c_str(),
                              O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) ::dup2(fd, 2);
      }
      std::vector<char*> a, e;
      for (const std::string& s : argv)
        a.push_back(const_cast<char*>(s.c_str()));
      a.push_back(nullptr);
      for (const std::string& s : envs)
        e.push_back(const_cast<char*>(s.c_str()));
      e.push_back(nullptr);
      ::execve(a[0], a.data(), e.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    c.pid_ = pid;
    c.out_ = fds[0];
    return c;
  }

  Child() = default;
  Child(Child&& o) noexcept
      : pid_(o.pid_), out_(o.out_), buf_(std::move(o.buf_)) {
    o.pid_ = -1;
    o.out_ = -1;
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  // Kills and reaps a child still running (a failed assertion).
  ~Child() {
    if (pid_ > 0) {
      Kill();
      Wait();
    }
    if (out_ >= 0) ::close(out_);
  }

  pid_t pid() const { return pid_; }

  // The next complete line of the child's stdout, without the newline;
  // false at the end of the output (the child exited or was killed).
  bool ReadLine(std::string* line) {
    while (true) {
      const size_t nl = buf_.find('\n');
      if (nl != std::string::npos) {
        line->assign(buf_, 0, nl);
        buf_.erase(0, nl + 1);
        return true;
      }
      char chunk[4096];
      const ssize_t n = ::read(out_, chunk, sizeof(chunk));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;  // a partial last line is dropped
      buf_.append(chunk, static_cast<size_t>(n));
    }
  }

  void Kill() {
    if (pid_ > 0) ::kill(pid_, SIGKILL);
  }

  // Reaps the child; its waitpid(2) status, or -1.
  int Wait() {
    if (pid_ <= 0) return -1;
    int status = 0;
    pid_t r;
    do {
      r = ::waitpid(pid_, &status, 0);
    } while (r < 0 && errno == EINTR);
    pid_ = -1;
    return r < 0 ? -1 : status;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::string buf_;
};

}  // namespace sla::faults

#endif  // TESTS_FAULTS_CHILD_PROCESS_H_
