# tests/boot/dropin.cmake — build.drop-in: a benchmark is added by dropping
# one file into a directory (docs/adding-a-benchmark.md); this builds a fresh
# kernel with docs/examples/pause.cpp as the only extra file and boots it.
if(HVB_BUILD_KERNEL AND HVB_QEMU)
  add_test(NAME build.drop-in
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/dropin_test.sh ${CMAKE_SOURCE_DIR} $<TARGET_FILE:hvb_boot_test>
            ${CMAKE_SOURCE_DIR}/docs/examples/pause.cpp pause)
  set_tests_properties(build.drop-in PROPERTIES LABELS build TIMEOUT 600 RUN_SERIAL TRUE)
endif()
