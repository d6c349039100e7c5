# cmake/iso.cmake — build/hvbench.iso: GRUB for BIOS and UEFI, booting
# hvbench.elf through multiboot2 by default (a multiboot1 entry is second).
# Also a test-only ISO whose default is the multiboot1 entry.
find_program(HVB_GRUB_MKRESCUE grub-mkrescue)

function(hvb_add_iso target output default_entry all)
  set(dir ${CMAKE_BINARY_DIR}/${target}.d)
  set(cfg ${CMAKE_BINARY_DIR}/${target}.grub.cfg)
  configure_file(${CMAKE_SOURCE_DIR}/cmake/grub.cfg.in ${cfg} @ONLY)
  add_custom_command(OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${dir}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}/boot/grub
    COMMAND ${CMAKE_COMMAND} -E copy $<TARGET_FILE:hvbench.elf> ${dir}/boot/hvbench.elf
    COMMAND ${CMAKE_COMMAND} -E copy ${cfg} ${dir}/boot/grub/grub.cfg
    COMMAND ${HVB_GRUB_MKRESCUE} --quiet -o ${output} ${dir}
    DEPENDS hvbench.elf ${cfg}
    COMMENT "Building ${output} with grub-mkrescue"
    VERBATIM)
  add_custom_target(${target} ${all} DEPENDS ${output})
endfunction()

if(HVB_GRUB_MKRESCUE)
  set(HVB_GRUB_DEFAULT 0)
  hvb_add_iso(iso ${CMAKE_BINARY_DIR}/hvbench.iso 0 ALL)
  set(HVB_GRUB_DEFAULT 1)
  hvb_add_iso(iso-mb1-test ${CMAKE_BINARY_DIR}/hvbench-mb1-test.iso 1 ALL)
else()
  message(STATUS "grub-mkrescue not found: the iso target and ISO boot tests are off")
endif()
