# probes/importers.cmake: importers of probe results (JSON lines, Prometheus
# text) and the format dispatcher. Included from the top-level
# CMakeLists.txt after probes/checkers.cmake, which defines probes_prom_text
# (the Prometheus text-format parser).

# What the readers share (probes/internal/): series numbering, bad-line
# collection, reading a file. Implementation only; the CSV reader uses it
# too.
add_library(probes_table_builder probes/internal/table_builder.cc)
target_link_libraries(probes_table_builder
  PUBLIC sla_engine absl::flat_hash_map absl::function_ref absl::status
         absl::strings
  PRIVATE absl::cleanup)
target_link_libraries(probes_csv_reader PRIVATE probes_table_builder)

# probes/jsonl_reader.h, probes/prom_importer.h, probes/importer.h.
add_library(probes_importers
  probes/jsonl_reader.cc
  probes/prom_importer.cc
  probes/importer.cc)
target_link_libraries(probes_importers
  PUBLIC probes_csv_reader sla_engine absl::status absl::statusor
         absl::strings absl::time
  PRIVATE probes_table_builder probes_prom_text absl::flat_hash_map
          absl::str_format)

foreach(lib probes_table_builder probes_importers)
  target_include_directories(${lib} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/slakit>)
endforeach()

target_link_libraries(probes INTERFACE probes_importers)

if(TARGET slakit_cli_lib)
  target_link_libraries(slakit_cli_lib PUBLIC probes_importers)
endif()

if(SLAKIT_BUILD_TESTS)
  slakit_gtest(importers_test tests/probes/importers_test.cc probes_importers)
endif()
