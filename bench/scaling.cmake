# Scaling runs (slakit issue 9): ingest, query time and memory against
# series count and window length. bench/scaling.sh runs the benchmark and
# draws docs/scaling.svg. Included from the top-level CMakeLists.txt inside
# if(SLAKIT_BUILD_BENCHMARKS).
add_executable(scaling_benchmark bench/scaling_benchmark.cc)
target_include_directories(scaling_benchmark PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(scaling_benchmark PRIVATE sla probes
  benchmark::benchmark)
if(SLAKIT_BUILD_TESTS)
  # Every benchmark runs briefly as a smoke test: tiny points (8 and 40
  # series, 1 and 2 days), a few seconds.
  add_test(NAME scaling_benchmark_smoke
    COMMAND scaling_benchmark --benchmark_min_time=0.01
            --benchmark_filter=.)
  set_tests_properties(scaling_benchmark_smoke PROPERTIES
    ENVIRONMENT "SLAKIT_BENCH_SMOKE=1" TIMEOUT 120)
endif()
