# cmake -DLIBRARY=<lib.a> -DARCH=<sm_NN> -P check_ptx.cmake: fails unless the library embeds PTX
# for ARCH (Halide stores the device code as PTX text in the host object).
file(STRINGS "${LIBRARY}" version_lines REGEX "\\.version [0-9]+\\.[0-9]+")
file(STRINGS "${LIBRARY}" target_lines REGEX "\\.target ${ARCH}")
list(LENGTH version_lines versions)
list(LENGTH target_lines targets)
if(versions EQUAL 0 OR targets EQUAL 0)
  message(FATAL_ERROR "no PTX for ${ARCH} in ${LIBRARY}")
endif()
message(STATUS "PTX for ${ARCH} in ${LIBRARY}: ${targets} .target line(s)")
