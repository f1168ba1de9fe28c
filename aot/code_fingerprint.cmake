# Writes OUTPUT: a header defining CONVGEN_CODE_FINGERPRINT, the SHA-256 of the files in SOURCES
# (a ;-list, passed with | separators), so cached kernels are rebuilt when code generation changes.
string(REPLACE "|" ";" files "${SOURCES}")
list(SORT files)
set(all "")
foreach(file IN LISTS files)
  file(SHA256 "${file}" hash)
  string(APPEND all "${hash}\n")  # contents only: the same code in another checkout matches
endforeach()
string(SHA256 fingerprint "${all}")
string(SUBSTRING "${fingerprint}" 0 16 fingerprint)
set(text "#pragma once\n#define CONVGEN_CODE_FINGERPRINT \"${fingerprint}\"\n")
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUTPUT}" "${text}")
endif()
