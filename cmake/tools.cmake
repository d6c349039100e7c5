# cmake/tools.cmake — host programs and the library they share.
add_library(hvb_tools STATIC
  tools/json.cpp tools/records.cpp
  tools/launch.cpp tools/qmp.cpp tools/timing.cpp tools/run.cpp tools/vm_io.cpp tools/log_import.cpp tools/run_config.cpp tools/run_setup.cpp
  tools/pinning.cpp tools/reporters.cpp tools/results.cpp tools/results_json.cpp tools/results_csv.cpp tools/results_file.cpp tools/aggregate.cpp tools/compare.cpp
  tools/gate.cpp tools/junit.cpp
  tools/image.cpp tools/catalog.cpp tools/sanitize.cpp tools/safe_output.cpp tools/xen.cpp)
target_link_libraries(hvb_tools PUBLIC hvb_host)

# build/hvbench: the host tool (run, compare, image). It finds the kernel
# images next to itself, so it is built into the top of the build tree.
add_executable(hvbench_tool tools/hvbench.cpp)
target_link_libraries(hvbench_tool PRIVATE hvb_tools)
# --vmm xen --guest pvh runs scripts/xen-dom0-image.sh from the source tree.
target_compile_definitions(hvbench_tool PRIVATE HVB_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
set_target_properties(hvbench_tool PROPERTIES OUTPUT_NAME hvbench
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
