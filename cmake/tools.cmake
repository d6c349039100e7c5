# cmake/tools.cmake — host programs and the library they share.
add_library(hvb_tools STATIC
  tools/json.cpp tools/records.cpp tools/result_fields.cpp tools/header_fields.cpp tools/reference.cpp
  tools/launch.cpp tools/qmp.cpp tools/timing.cpp tools/run.cpp tools/vm_io.cpp tools/log_import.cpp tools/run_config.cpp tools/run_setup.cpp
  tools/run_setup_arm64.cpp
  tools/pinning.cpp tools/reporters.cpp tools/results.cpp tools/results_json.cpp tools/results_csv.cpp tools/results_file.cpp tools/aggregate.cpp tools/agreement.cpp tools/compare.cpp
  tools/gate.cpp tools/junit.cpp
  tools/image.cpp tools/catalog.cpp tools/sanitize.cpp tools/safe_output.cpp tools/usage.cpp tools/xen.cpp
  tools/arm64_hosts.cpp tools/kvm_host.cpp tools/counterparts.cpp tools/host_load.cpp tools/xl.cpp tools/run_context.cpp
  tools/libvirt_domain.cpp tools/libvirt_launch.cpp tools/run_hosts.cpp)
target_link_libraries(hvb_tools PUBLIC hvb_host)

# --vmm libvirt: libvirt's C API (Debian libvirt-dev). Without it the tool
# is built without the mode, and says so when asked for it.
find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(LIBVIRT IMPORTED_TARGET libvirt)
endif()
if(LIBVIRT_FOUND)
  target_sources(hvb_tools PRIVATE tools/libvirt_host.cpp tools/libvirt_vm.cpp)
  target_link_libraries(hvb_tools PUBLIC PkgConfig::LIBVIRT)
  message(STATUS "hvbench: --vmm libvirt with libvirt ${LIBVIRT_VERSION}")
else()
  target_sources(hvb_tools PRIVATE tools/libvirt_none.cpp)
  message(STATUS "hvbench: libvirt-dev not found: built without --vmm libvirt")
endif()

# build/hvbench: the host tool (run, compare, image). It finds the kernel
# images next to itself, so it is built into the top of the build tree.
add_executable(hvbench_tool tools/hvbench.cpp)
target_link_libraries(hvbench_tool PRIVATE hvb_tools)
# --vmm xen (--guest pvh; --arch aarch64) and kvm-nested run scripts/ from the source tree.
target_compile_definitions(hvbench_tool PRIVATE HVB_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
set_target_properties(hvbench_tool PROPERTIES OUTPUT_NAME hvbench
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
