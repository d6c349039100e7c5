# tests/boot/tool_run_json.cmake — included by the tool's boot tests
# (cmake -P): one `hvbench run` whose results file they then check.
#
# hvb_tool_run(WHAT JSON COUNT VAR ARG...) runs `${TOOL} run ARG...`, prints
# its output, and fails unless it exits 0 and its results file JSON holds
# COUNT benchmarks; VAR is set to that file's text. When the tool says KVM
# is not usable, VAR is set to SKIPPED and nothing is checked: the caller
# returns, and its test's SKIP_REGULAR_EXPRESSION reports it skipped.
function(hvb_tool_run what json count var)
  # The default run keeps a per-host pace reference (tools/reference.h); each
  # test gets a fresh one of its own, so no earlier run on this machine (or
  # test) decides what this one flags.
  file(REMOVE_RECURSE ${json}.reference)
  set(ENV{HVB_REFERENCE_DIR} ${json}.reference)
  execute_process(COMMAND ${TOOL} run ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message("${out}${err}")
  if(err MATCHES "KVM is not usable")
    set(${var} SKIPPED PARENT_SCOPE)
    return()
  endif()
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} exited with ${rc}, expected 0")
  endif()
  file(READ ${json} text)
  string(JSON n LENGTH "${text}" benchmarks)
  if(NOT n EQUAL ${count})
    message(FATAL_ERROR "JSON has ${n} benchmarks, expected ${count}")
  endif()
  set(${var} "${text}" PARENT_SCOPE)
endfunction()
