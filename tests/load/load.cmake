# tests/load/load.cmake: the bounded loopback load test (included from the
# top-level CMakeLists.txt inside if(SLAKIT_BUILD_TESTS)).
#
# load_loopback: tests/load/load_test.cc starts the real `slakit serve` as a
# child process on 127.0.0.1, prefills 30 days of history, then 8 clients
# ingest and query for 60 s; it fails on any RPC error, the server dying,
# memory that is not flat, or counts that do not match what was sent. It
# runs alone (RUN_SERIAL): its figures are throughput and latency, and its
# two busy cores would slow the timing-sensitive tests next to it.
# `ctest -L load` runs it on its own; `ctest -LE load` skips it.
#
# CMake only, no Bazel target: the Bazel build has the same binary and stubs,
# but a minute of load on every `bazel test //...` is not what that second
# build is for (it checks that the targets build and the unit tests pass);
# the load test's figures come from this CMake build, as the README's.
if(TARGET slakit AND TARGET slakit_proto)
  add_executable(load_test tests/load/load_test.cc)
  target_link_libraries(load_test PRIVATE slakit_proto Threads::Threads)
  add_dependencies(load_test slakit)  # the binary it starts
  add_test(NAME load_loopback
    COMMAND load_test --slakit $<TARGET_FILE:slakit> --seconds 60)
  set_tests_properties(load_loopback PROPERTIES
    TIMEOUT 240 LABELS load RUN_SERIAL TRUE)
endif()
