# tests/boot/tool_pin_check.cmake — boot test of `hvbench run --pin` (cmake
# -P): the real kernel in QEMU under ACCEL, started paused, its vCPU threads
# pinned over QMP, then run. Checks the exit status and what the results'
# context says of it: pinned (the kernel's word), pinning (what went where)
# and vmm_layout. Under KVM here QEMU refuses -cpu host and exits as the
# pinning step talks to it; the run must go on with the next -cpu model.
#   cmake -DTOOL=build/hvbench -DOUT=<prefix> -DACCEL=tcg|kvm -P tool_pin_check.cmake
foreach(v TOOL OUT ACCEL)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "tool_pin_check: -D${v}= is required")
  endif()
endforeach()
file(REMOVE ${OUT}.json)
include(${CMAKE_CURRENT_LIST_DIR}/tool_run_json.cmake)

hvb_tool_run("hvbench run --pin" ${OUT}.json 2 json --accel ${ACCEL} --pin --only idle,cpuid --json ${OUT}.json
             --timeout 120 --log ${OUT}.log)
if(json STREQUAL "SKIPPED")
  return()  # skipped (the test's SKIP_REGULAR_EXPRESSION), never passed
endif()
foreach(i 0 1)
  string(JSON name GET "${json}" benchmarks ${i} name)
  string(JSON status GET "${json}" benchmarks ${i} status)
  if(NOT status STREQUAL "ok")
    message(FATAL_ERROR "benchmark ${name}: status ${status}, expected ok")
  endif()
endforeach()
string(JSON pinned GET "${json}" context pinned)
string(JSON steps LENGTH "${json}" context pinning)
string(JSON layout GET "${json}" context vmm_layout)
string(JSON said GET "${json}" context platform cmdline)
if(NOT pinned MATCHES "^(full|vcpus)$" OR steps LESS 1 OR NOT layout STREQUAL "fixed")
  message(FATAL_ERROR "context: pinned '${pinned}', ${steps} pinning lines, vmm_layout '${layout}'")
endif()
if(NOT said MATCHES "pinned=${pinned}")
  message(FATAL_ERROR "the kernel's command line '${said}' does not say pinned=${pinned}")
endif()
