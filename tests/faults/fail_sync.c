// tests/faults/fail_sync.c: an LD_PRELOAD shim for the fault tests. It
// makes fsync(2) / fdatasync(2) fail with EIO on request, and kills the
// process with SIGKILL at a chosen point of the writing of a store snapshot
// (sla/storage/store.h: snapshot-<LSN>.snap.tmp, fsync, rename, fsync of the
// directory). Everything is controlled by environment variables read once,
// when the library is loaded:
//
//   SLAKIT_FAULT_SYNC_FAIL_AFTER=N  the first N matching fsync/fdatasync
//                                   calls succeed, the following ones fail
//                                   with EIO (unset: none fails)
//   SLAKIT_FAULT_SYNC_FAIL_COUNT=M  only M calls fail, later ones succeed
//                                   again, as a retried fsync does on Linux
//                                   after the kernel dropped the dirty pages
//                                   ("fsyncgate"); unset: every later call
//                                   fails
//   SLAKIT_FAULT_SYNC_MATCH=TEXT    only descriptors whose path contains
//                                   TEXT match (unset: every descriptor)
//   SLAKIT_FAULT_KILL_AT=POINT      SIGKILL the process while it writes a
//                                   snapshot, at POINT:
//                                     write    after half of the first
//                                              write(2) to the .tmp file
//                                     fsync    before the .tmp file's fsync
//                                     rename   before the rename
//                                     renamed  after the rename, before the
//                                              directory's fsync
//                                     torn     cut the .tmp file to half its
//                                              size, rename it, then die (a
//                                              file system that lost the data
//                                              but kept the rename)
//   SLAKIT_FAULT_KILL_SKIP=K        let K snapshots through first (default 0)
//
// Each injected failure is reported on stderr ("fail_sync: ..."), and at
// exit(3) one summary line: "fail_sync: matched=A failed=B after_failure=C",
// C being the matching calls made after the first failure. Thread-safe.

#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static long fail_after = -1;  // -1: never fail
static long fail_count = -1;  // -1: unlimited
static const char* match = NULL;
static const char* kill_at = NULL;
static long kill_skip = 0;

static atomic_long matched_calls;
static atomic_long failed_calls;
static atomic_long after_failure;
static atomic_long snapshots_seen;
static atomic_int snapshot_fd = -1;  // the armed snapshot .tmp file
static atomic_int snapshot_written;  // its first write happened

static long EnvLong(const char* name, long fallback) {
  const char* v = getenv(name);
  if (v == NULL || *v == '\0') return fallback;
  return strtol(v, NULL, 10);
}

static void Summary(void) {
  if (fail_after < 0) return;
  char line[160];
  const int n =
      snprintf(line, sizeof(line),
               "fail_sync: matched=%ld failed=%ld after_failure=%ld\n",
               atomic_load(&matched_calls), atomic_load(&failed_calls),
               atomic_load(&after_failure));
  if (n > 0) (void)!write(2, line, (size_t)n);
}

__attribute__((constructor)) static void Init(void) {
  fail_after = EnvLong("SLAKIT_FAULT_SYNC_FAIL_AFTER", -1);
  fail_count = EnvLong("SLAKIT_FAULT_SYNC_FAIL_COUNT", -1);
  match = getenv("SLAKIT_FAULT_SYNC_MATCH");
  kill_at = getenv("SLAKIT_FAULT_KILL_AT");
  if (kill_at != NULL && *kill_at == '\0') kill_at = NULL;
  kill_skip = EnvLong("SLAKIT_FAULT_KILL_SKIP", 0);
  atexit(Summary);
}

static void Say(const char* what, const char* detail) {
  char line[600];
  const int n = snprintf(line, sizeof(line), "fail_sync: %s %s\n", what,
                         detail == NULL ? "" : detail);
  if (n > 0) (void)!write(2, line, (size_t)n);
}

static void Die(const char* where) {
  Say("SIGKILL at", where);
  kill(getpid(), SIGKILL);
  for (;;) pause();
}

static int KillAt(const char* point) {
  return kill_at != NULL && strcmp(kill_at, point) == 0;
}

static int EndsWith(const char* s, const char* suffix) {
  const size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int IsSnapshotTmp(const char* path) {
  return path != NULL && strstr(path, "snapshot-") != NULL &&
         EndsWith(path, ".snap.tmp");
}

// ---------------------------------------------------------------- fsync

static int FdMatches(int fd, char* path, size_t size) {
  char link[64];
  snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  const ssize_t n = readlink(link, path, size - 1);
  path[n < 0 ? 0 : n] = '\0';
  return match == NULL || strstr(path, match) != NULL;
}

// 0: call the real function; -1 with errno = EIO: fail.
static int InjectSync(int fd, const char* name) {
  if (fail_after < 0) return 0;
  char path[512];
  if (!FdMatches(fd, path, sizeof(path))) return 0;
  const long k = atomic_fetch_add(&matched_calls, 1);  // 0-based
  if (atomic_load(&failed_calls) > 0) atomic_fetch_add(&after_failure, 1);
  if (k < fail_after) return 0;
  if (fail_count >= 0 && k >= fail_after + fail_count) return 0;
  atomic_fetch_add(&failed_calls, 1);
  char detail[600];
  snprintf(detail, sizeof(detail), "%s #%ld of %s: EIO", name, k + 1, path);
  Say("failing", detail);
  errno = EIO;
  return -1;
}

int fsync(int fd) {
  static int (*real)(int) = NULL;
  if (real == NULL) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  if (kill_at != NULL && fd == atomic_load(&snapshot_fd) && KillAt("fsync")) {
    Die("fsync of the snapshot .tmp file");
  }
  if (InjectSync(fd, "fsync") != 0) return -1;
  return real(fd);
}

int fdatasync(int fd) {
  static int (*real)(int) = NULL;
  if (real == NULL) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  if (InjectSync(fd, "fdatasync") != 0) return -1;
  return real(fd);
}

// ---------------------------------------------------------------- snapshots

static void NoteOpen(const char* path, int fd) {
  if (kill_at == NULL || fd < 0 || !IsSnapshotTmp(path)) return;
  const long k = atomic_fetch_add(&snapshots_seen, 1);
  if (k >= kill_skip) {
    atomic_store(&snapshot_fd, fd);
    atomic_store(&snapshot_written, 0);
  }
}

static int RealOpen(const char* sym, const char* path, int flags, mode_t mode) {
  int (*real)(const char*, int, ...) =
      (int (*)(const char*, int, ...))dlsym(RTLD_NEXT, sym);
  const int fd = real(path, flags, mode);
  NoteOpen(path, fd);
  return fd;
}

int open(const char* path, int flags, ...) {
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list ap;
    va_start(ap, flags);
    mode = (mode_t)va_arg(ap, int);
    va_end(ap);
  }
  return RealOpen("open", path, flags, mode);
}

int open64(const char* path, int flags, ...) {
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list ap;
    va_start(ap, flags);
    mode = (mode_t)va_arg(ap, int);
    va_end(ap);
  }
  return RealOpen("open64", path, flags, mode);
}

ssize_t write(int fd, const void* buf, size_t count) {
  static ssize_t (*real)(int, const void*, size_t) = NULL;
  if (real == NULL) {
    real = (ssize_t(*)(int, const void*, size_t))dlsym(RTLD_NEXT, "write");
  }
  if (kill_at != NULL && fd == atomic_load(&snapshot_fd) && KillAt("write") &&
      count > 1 && atomic_exchange(&snapshot_written, 1) == 0) {
    (void)!real(fd, buf, count / 2);
    Die("write of the snapshot .tmp file (half written)");
  }
  return real(fd, buf, count);
}

int rename(const char* from, const char* to) {
  static int (*real)(const char*, const char*) = NULL;
  if (real == NULL) {
    real = (int (*)(const char*, const char*))dlsym(RTLD_NEXT, "rename");
  }
  const int armed =
      kill_at != NULL && IsSnapshotTmp(from) && atomic_load(&snapshot_fd) >= 0;
  if (armed && KillAt("rename")) Die("rename of the snapshot .tmp file");
  if (armed && KillAt("torn")) {
    struct stat st;
    if (stat(from, &st) == 0) (void)!truncate(from, st.st_size / 2);
    if (real(from, to) == 0) Die("rename of a torn snapshot");
  }
  const int rc = real(from, to);
  if (armed && rc == 0 && KillAt("renamed")) {
    Die("after the rename of the snapshot, before the directory fsync");
  }
  return rc;
}
