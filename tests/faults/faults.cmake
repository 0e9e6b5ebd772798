# tests/faults/faults.cmake: fault injection (issue 10, part 5), included
# from the top-level CMakeLists.txt inside if(SLAKIT_BUILD_TESTS). Every
# test has the label `faults`; the whole set runs in well under 90 s.
#   fault_disk_full_test      a small tmpfs that fills up (mounts it in a
#                             private mount namespace: needs root or
#                             CAP_SYS_ADMIN, else the tests report SKIPPED)
#   fault_sync_failure_test   fsync/fdatasync failing with EIO (LD_PRELOAD)
#   fault_kill_snapshot_test  SIGKILL inside the writing of snapshots
#   fault_clock_jump_test     the server's and the probe scheduler's clock
#                             stepping back and forth

# The LD_PRELOAD shim and the child process the tests run.
add_library(slakit_fail_sync SHARED tests/faults/fail_sync.c)
set_target_properties(slakit_fail_sync PROPERTIES PREFIX "" OUTPUT_NAME
  fail_sync)
target_link_libraries(slakit_fail_sync PRIVATE ${CMAKE_DL_LIBS})

add_executable(fault_helper tests/faults/fault_helper.cc)
target_include_directories(fault_helper PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(fault_helper PRIVATE sla_storage_store absl::strings
  absl::status absl::statusor)

function(slakit_fault_test name src)
  add_executable(${name} ${src})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${ARGN} GTest::gtest GTest::gmock
    GTest::gtest_main Threads::Threads)
  target_compile_definitions(${name} PRIVATE
    FAULT_HELPER_PATH="$<TARGET_FILE:fault_helper>"
    FAULT_SHIM_PATH="$<TARGET_FILE:slakit_fail_sync>")
  add_dependencies(${name} fault_helper slakit_fail_sync)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS faults TIMEOUT 60)
endfunction()

slakit_fault_test(fault_sync_failure_test tests/faults/sync_failure_test.cc
  sla_storage_store)
slakit_fault_test(fault_kill_snapshot_test tests/faults/kill_snapshot_test.cc
  sla_storage_store)
# The server's backend (bindings/grpc) is in these two.
if(TARGET slakit_server)
  slakit_fault_test(fault_disk_full_test tests/faults/disk_full_test.cc
    slakit_server sla_storage_store)
  slakit_fault_test(fault_clock_jump_test tests/faults/clock_jump_test.cc
    slakit_server probes_scheduler)
endif()
