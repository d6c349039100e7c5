# tests/boot/aarch64_tool_run_check.cmake — `hvbench run --arch aarch64`
# (cmake -P): the tool boots build/hvbench-aarch64.img on qemu-system-aarch64
# -M virt under TCG and writes JSON and CSV; this checks the exit status,
# three benchmarks ok in the kernel's order, the run complete (the end record
# read: QEMU's own status is 0 whatever the kernel's code), and the GIC in
# the platform header.
#   cmake -DTOOL=build/hvbench -DOUT=<prefix> -P aarch64_tool_run_check.cmake
foreach(v TOOL OUT)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "aarch64_tool_run_check: -D${v}= is required")
  endif()
endforeach()
file(REMOVE ${OUT}.json ${OUT}.csv)
include(${CMAKE_CURRENT_LIST_DIR}/tool_run_json.cmake)

hvb_tool_run("hvbench run --arch aarch64" ${OUT}.json 3 json --arch aarch64 --accel tcg
             --only idle,hypercall,sysreg_id --reps 5 --json ${OUT}.json --csv ${OUT}.csv --timeout 120)
set(names "")
foreach(i RANGE 2)
  string(JSON name GET "${json}" benchmarks ${i} name)
  string(JSON status GET "${json}" benchmarks ${i} status)
  list(APPEND names ${name})
  if(NOT status STREQUAL "ok")
    message(FATAL_ERROR "benchmark ${name}: status ${status}")
  endif()
endforeach()
if(NOT names STREQUAL "hypercall;idle;sysreg_id")
  message(FATAL_ERROR "JSON benchmarks are '${names}', expected hypercall;idle;sysreg_id (the kernel's order)")
endif()
string(JSON complete GET "${json}" context complete)
if(NOT complete)
  message(FATAL_ERROR "the run is not complete: the end record was not read")
endif()
string(JSON intc GET "${json}" context platform intc)
if(NOT intc STREQUAL "gicv2")
  message(FATAL_ERROR "platform intc '${intc}', expected gicv2 (QEMU virt's default under TCG)")
endif()
# The kernel's unit: cycles where it measured the CPU's cycle rate (PMCCNTR
# under TCG), ns otherwise; the context carries it.
string(JSON unit GET "${json}" context timer_unit)
if(NOT unit STREQUAL "cycles" AND NOT unit STREQUAL "ns")
  message(FATAL_ERROR "context timer_unit '${unit}', expected cycles or ns")
endif()
if(NOT EXISTS ${OUT}.csv)
  message(FATAL_ERROR "no CSV written")
endif()
