# tests/fuzz/fuzz_tests.cmake — the fuzz targets as CTest tests (label
# `fuzz`), for .ci/run: fuzz.build compiles them with clang into
# build/fuzz (tests/fuzz/run.sh), then each fuzz.TARGET runs its checked-in
# corpus and mutates it for HVB_FUZZ_SECONDS; any finding fails the test.
# Skipped (77) where clang or libFuzzer is not installed.
set(HVB_FUZZ_SECONDS 12 CACHE STRING "Seconds each fuzz target runs in ctest (label fuzz)")
set(HVB_FUZZ_RUN ${CMAKE_SOURCE_DIR}/tests/fuzz/run.sh --build ${CMAKE_BINARY_DIR}/fuzz)
add_test(NAME fuzz.build COMMAND ${HVB_FUZZ_RUN} --build-only)
set_tests_properties(fuzz.build PROPERTIES LABELS fuzz TIMEOUT 600 SKIP_RETURN_CODE 77
                     FIXTURES_SETUP hvb_fuzz_build)
foreach(t options multiboot1 multiboot2 pvh acpi memmap dtb records json results_json results_csv proc_stat)
  add_test(NAME fuzz.${t} COMMAND ${HVB_FUZZ_RUN} --no-build --seconds ${HVB_FUZZ_SECONDS} ${t})
  set_tests_properties(fuzz.${t} PROPERTIES LABELS fuzz TIMEOUT 120 SKIP_RETURN_CODE 77
                       FIXTURES_REQUIRED hvb_fuzz_build)
endforeach()
