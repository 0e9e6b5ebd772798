# tests/bad_input/bad_input.cmake: the bad-input catalogue (slakit issue 10;
# docs/BAD_INPUT.md). One table-driven test per interface: hostile inputs,
# their documented errors, and a check after every row that what was stored
# before answers the same. Included from the top-level CMakeLists.txt inside
# if(SLAKIT_BUILD_TESTS), after slakit_gtest() and the library targets.

# config: slakit.yaml (sla/config.h) and OpenSLO (sla/openslo.h).
slakit_gtest(config_bad_input_test tests/bad_input/config_bad_input_test.cc
  sla_config)
# CSV: probes/csv_reader.h into an engine that holds data.
slakit_gtest(csv_bad_input_test tests/bad_input/csv_bad_input_test.cc
  probes_csv_reader sla)
# gRPC: an in-process `slakit serve` on 127.0.0.1:0 with a data directory.
if(TARGET slakit_server)
  slakit_gtest(grpc_bad_input_test tests/bad_input/grpc_bad_input_test.cc
    slakit_server)
endif()
# CLI: the `slakit` binary as a subprocess.
if(TARGET slakit)
  add_test(NAME cli_bad_input
    COMMAND /usr/bin/python3 ${PROJECT_SOURCE_DIR}/tests/bad_input/cli_bad_input_test.py
            --slakit $<TARGET_FILE:slakit>)
  set_tests_properties(cli_bad_input PROPERTIES TIMEOUT 120)
endif()
# Python: `import slakit` (bindings/python/python.cmake).
if(TARGET slakit_python)
  add_test(NAME python_bad_input
    COMMAND /usr/bin/python3 ${PROJECT_SOURCE_DIR}/tests/bad_input/python_bad_input_test.py
            --native $<TARGET_FILE:slakit_python>)
  set_tests_properties(python_bad_input PROPERTIES TIMEOUT 120)
endif()
