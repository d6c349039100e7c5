# tests/golden/golden_check.cmake — saved logs against what `hvbench import`
# made of them (cmake -P): for each log, the JSON and CSV it writes, its
# console output, and `hvbench compare` reading both back must be
# byte for byte the expected files next to this script (<log name>.json,
# .csv, .console, .compared). Paths, the date and the host name are replaced by
# fixed words first. Outputs change only with a change that means to: then
# run with -DUPDATE=1 and review the diff.
#   cmake -DTOOL=build/hvbench -DOUT=<scratch dir> -DLOGS="a.log;b.log" [-DUPDATE=1] -P golden_check.cmake
cmake_minimum_required(VERSION 3.20)  # if() compares quoted text as text
foreach(v TOOL OUT LOGS)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "golden_check: -D${v}= is required")
  endif()
endforeach()
get_filename_component(golden ${CMAKE_CURRENT_LIST_DIR} ABSOLUTE)
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})

# Text with this run's paths, date and host name replaced by fixed words.
function(normalize text out_var)
  string(REPLACE "${OUT}" "<out>" text "${text}")
  string(REPLACE "${TOOL}" "<hvbench>" text "${text}")
  string(REPLACE "${LOG_DIR}" "<logs>" text "${text}")
  string(REGEX REPLACE "\"date\": \"[^\"]*\"" "\"date\": \"<date>\"" text "${text}")
  string(REGEX REPLACE "\"host_name\": \"[^\"]*\"" "\"host_name\": \"<host>\"" text "${text}")
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

set(failed "")
foreach(log ${LOGS})
  get_filename_component(name ${log} NAME_WE)
  get_filename_component(LOG_DIR ${log} DIRECTORY)
  execute_process(
    COMMAND ${TOOL} import ${log} --json ${OUT}/${name}.json --csv ${OUT}/${name}.csv --label ${name}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  execute_process(
    COMMAND ${TOOL} compare ${OUT}/${name}.json ${OUT}/${name}.csv
    RESULT_VARIABLE crc OUTPUT_VARIABLE cout ERROR_VARIABLE cerr)
  set(json "")
  set(csv "")
  if(EXISTS ${OUT}/${name}.json)  # not written for a log without results
    file(READ ${OUT}/${name}.json json)
    file(READ ${OUT}/${name}.csv csv)
  endif()
  normalize("${json}" json)
  normalize("${out}${err}exit status ${rc}\n" console)
  normalize("${cout}${cerr}exit status ${crc}\n" compared)
  foreach(kind json csv console compared)
    set(ext ${kind})
    set(expected_file ${golden}/${name}.${ext})
    if(UPDATE)
      file(WRITE ${expected_file} "${${kind}}")
      continue()
    endif()
    file(READ ${expected_file} expected)
    if(NOT "${${kind}}" STREQUAL "${expected}")
      file(WRITE ${OUT}/${name}.${ext}.got "${${kind}}")
      list(APPEND failed "${name}.${ext} (got: ${OUT}/${name}.${ext}.got)")
    endif()
  endforeach()
endforeach()
if(failed)
  message(FATAL_ERROR "golden_check: differs from the expected output: ${failed}")
endif()
