# cmake/tools.cmake — host programs and the library they share.
add_library(hvb_tools STATIC tools/json.cpp tools/records.cpp)
target_link_libraries(hvb_tools PUBLIC hvb_host)
