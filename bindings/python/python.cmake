# bindings/python/python.cmake: `import slakit` (included from the top-level
# CMakeLists.txt when SLAKIT_BUILD_PYTHON is on, after the sla/ and probes/
# targets). Builds the native module with Debian's pybind11-dev and lays out
# an importable package in the build tree:
#
#   ${PROJECT_BINARY_DIR}/python/slakit/__init__.py ...   the facade (copied)
#   ${PROJECT_BINARY_DIR}/python/slakit/_slakit.cpython-311-....so
#
#   PYTHONPATH=build/python /usr/bin/python3 -c 'import slakit'
#
# Targets: slakit_python (the native module), slakit_python_facade (the
# copied .py/.pyi files). Not installed. Tests: python_module
# (tests/python/slakit_test.py, run by /usr/bin/python3).

# The pyenv python3 on PATH has no Debian packages and other headers: pin
# Debian's interpreter for pybind11's own Python lookup.
if(NOT DEFINED PYTHON_EXECUTABLE)
  set(PYTHON_EXECUTABLE /usr/bin/python3)
endif()
find_package(pybind11 CONFIG REQUIRED)

set(SLAKIT_PYTHON_DIR ${PROJECT_BINARY_DIR}/python)

pybind11_add_module(slakit_python MODULE
  ${PROJECT_SOURCE_DIR}/bindings/python/_slakit.cc)
set_target_properties(slakit_python PROPERTIES
  OUTPUT_NAME _slakit
  LIBRARY_OUTPUT_DIRECTORY ${SLAKIT_PYTHON_DIR}/slakit)
target_include_directories(slakit_python PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(slakit_python PRIVATE sla sla_config sla_report
  probes_csv_reader absl::flat_hash_map absl::statusor absl::strings
  absl::time)

# The facade, copied next to the module at build time (edits are picked up
# by the next build).
set(SLAKIT_PYTHON_FACADE
  __init__.py _errors.py _time.py _results.py _engine.py _slakit.pyi py.typed)
set(SLAKIT_PYTHON_FACADE_OUT)
foreach(f IN LISTS SLAKIT_PYTHON_FACADE)
  set(src ${PROJECT_SOURCE_DIR}/bindings/python/slakit/${f})
  set(dst ${SLAKIT_PYTHON_DIR}/slakit/${f})
  add_custom_command(OUTPUT ${dst}
    COMMAND ${CMAKE_COMMAND} -E copy_if_different ${src} ${dst}
    DEPENDS ${src}
    COMMENT "slakit (Python): ${f}")
  list(APPEND SLAKIT_PYTHON_FACADE_OUT ${dst})
endforeach()
add_custom_target(slakit_python_facade ALL DEPENDS ${SLAKIT_PYTHON_FACADE_OUT})
add_dependencies(slakit_python slakit_python_facade)

if(SLAKIT_BUILD_TESTS)
  add_test(NAME python_module
    COMMAND /usr/bin/python3 ${PROJECT_SOURCE_DIR}/tests/python/slakit_test.py
            --native $<TARGET_FILE:slakit_python>
            --readme ${PROJECT_SOURCE_DIR}/README.md)
  set_tests_properties(python_module PROPERTIES TIMEOUT 300)
endif()
