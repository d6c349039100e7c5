# tests/boot/xen_run_check.cmake — boot test of hvbench as Xen 4.17's PVH
# dom0, Xen nested in QEMU TCG (cmake -P): `hvbench run --vmm xen` fetches
# Xen into its cache if needed, boots it with the kernel as dom0, and reads
# the records out of Xen's console. Checks the platform the header names, the
# benchmarks' statuses, and the results files. When Xen cannot be had (no
# Debian package lists, no network) the tool says "Xen unavailable" and the
# test is reported skipped (SKIP_REGULAR_EXPRESSION), never passed.
# GUEST=dom0 (the kernel is Xen's PVH dom0, console CONSOLEIO_write), pvh
# (a PVH domU started by xl in the Linux dom0 of scripts/xen-dom0-image.sh,
# console the PV ring) or hvm (an HVM domU booting a GRUB ISO in the dom0 of
# `xen-dom0-image.sh --hvm`, console the PV ring too: it has no COM1).
#   cmake -DTOOL=build/hvbench -DOUT=<prefix> -DONLY=a,b,c -DGUEST=dom0|pvh|hvm -P xen_run_check.cmake
foreach(v TOOL OUT ONLY GUEST)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "xen_run_check: -D${v}= is required")
  endif()
endforeach()
file(REMOVE ${OUT}.json ${OUT}.csv ${OUT}.svg)

execute_process(
  COMMAND ${TOOL} run --vmm xen --guest ${GUEST} --only ${ONLY} --json ${OUT}.json --csv ${OUT}.csv --timeout 120 --log ${OUT}.log
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if("${err}" MATCHES "hvbench: Xen unavailable")
  return()  # skipped, by the test's SKIP_REGULAR_EXPRESSION
endif()
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "hvbench run --vmm xen exited with ${rc}, expected 0")
endif()

file(READ ${OUT}.json json)
string(JSON hv GET "${json}" context platform hypervisor)
string(JSON version GET "${json}" context platform hypervisor_version)
string(JSON domain GET "${json}" context platform domain)
string(JSON console GET "${json}" context platform console)
string(JSON cpus GET "${json}" context platform cpus)
string(JSON complete GET "${json}" context complete)
if(GUEST STREQUAL "dom0")
  set(want_domain dom0)
  set(want_console xen-consoleio)
elseif(GUEST STREQUAL "pvh" OR GUEST STREQUAL "hvm")
  set(want_domain domU)
  set(want_console xen-ring)
else()
  message(FATAL_ERROR "xen_run_check: GUEST=${GUEST}: dom0, pvh or hvm")
endif()
string(JSON boot GET "${json}" context boot)
if(GUEST STREQUAL "dom0")
  set(want_boot xen-pvh-dom0)
else()
  set(want_boot xen-${GUEST}-domu)
endif()
if(NOT boot STREQUAL want_boot)
  message(FATAL_ERROR "context: boot '${boot}', expected ${want_boot}")
endif()
if(NOT hv STREQUAL "XenVMMXenVMM" OR NOT version MATCHES "^4\\.17$" OR NOT domain STREQUAL want_domain
   OR NOT console STREQUAL want_console OR NOT cpus EQUAL 2 OR NOT complete STREQUAL "ON")
  message(FATAL_ERROR "context: hypervisor '${hv}' ${version} ${domain}, console ${console}, cpus ${cpus}, "
                      "complete ${complete}")
endif()
string(REPLACE "," ";" wanted "${ONLY}")
list(LENGTH wanted n_wanted)
string(JSON count LENGTH "${json}" benchmarks)
if(NOT count EQUAL n_wanted)
  message(FATAL_ERROR "JSON has ${count} benchmarks, expected ${n_wanted}")
endif()
math(EXPR last "${count} - 1")
foreach(i RANGE ${last})
  string(JSON name GET "${json}" benchmarks ${i} name)
  string(JSON status GET "${json}" benchmarks ${i} status)
  string(JSON median GET "${json}" benchmarks ${i} cycles_median)
  if(NOT status STREQUAL "ok")
    message(FATAL_ERROR "benchmark ${name}: status ${status}")
  endif()
  # Each of these is a VM exit under Xen: it costs something. (idle and
  # mem_hot may come out below their control loop, so no sign is expected.)
  if(name MATCHES "^(cpuid|hypercall|io_in|ipi)$" AND NOT median GREATER 0)
    message(FATAL_ERROR "benchmark ${name}: median ${median}, expected > 0")
  endif()
endforeach()
file(STRINGS ${OUT}.csv csv)
list(LENGTH csv lines)
math(EXPR want_lines "${n_wanted} + 1")
if(NOT lines EQUAL want_lines)
  message(FATAL_ERROR "CSV: ${lines} lines, expected ${want_lines}")
endif()
