# tests/libvirt/libvirt_tests.cmake — `hvbench run --vmm libvirt` against a
# real libvirtd that the fixture starts (as root, without systemd) and stops
# (scripts/libvirtd.sh). Where the daemon cannot start, or libvirt offers no
# kvm domains, the tests say why and are skipped, never passed.
if(NOT TARGET hvbench_tool OR NOT LIBVIRT_FOUND OR NOT HVB_BUILD_KERNEL)
  return()
endif()
set(HVB_LV_DIR ${CMAKE_BINARY_DIR}/libvirt-fixture)
set(HVB_LV_PORT 16609)  # qemu+tcp on 127.0.0.1 only
set(HVB_LV ${CMAKE_CURRENT_LIST_DIR})
add_test(NAME libvirt.daemon-start COMMAND ${CMAKE_SOURCE_DIR}/scripts/libvirtd.sh start ${HVB_LV_DIR} ${HVB_LV_PORT})
add_test(NAME libvirt.daemon-stop COMMAND ${CMAKE_SOURCE_DIR}/scripts/libvirtd.sh stop ${HVB_LV_DIR} ${HVB_LV_PORT})
set_tests_properties(libvirt.daemon-start PROPERTIES FIXTURES_SETUP libvirtd LABELS boot RESOURCE_LOCK libvirtd)
set_tests_properties(libvirt.daemon-stop PROPERTIES FIXTURES_CLEANUP libvirtd LABELS boot RESOURCE_LOCK libvirtd)
foreach(mode tcg kvm crash remote hosts)
  add_test(NAME libvirt.${mode}
    COMMAND ${HVB_LV}/libvirt_check.sh ${mode} $<TARGET_FILE:hvbench_tool> ${HVB_LV_DIR} ${HVB_LV_PORT}
            ${CMAKE_BINARY_DIR}/libvirt-${mode})
  # One at a time: the crash test pauses "the" running hvbench domain.
  set_tests_properties(libvirt.${mode} PROPERTIES FIXTURES_REQUIRED libvirtd LABELS boot TIMEOUT 240
    RESOURCE_LOCK libvirtd FAIL_REGULAR_EXPRESSION "FAIL:"
    SKIP_REGULAR_EXPRESSION "libvirt unavailable;KVM is not usable through libvirt")
endforeach()
