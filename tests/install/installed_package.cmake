# ctest: installs convgen into a scratch prefix and uses it from there alone: examples/ through
# find_package(convgen), and a small program through pkg-config.
# -DBUILD=<convgen build dir> -DSOURCE_ROOT=<convgen source dir> -DHALIDE_LIBDIR=<libHalide's dir>
# -DEXAMPLES=<examples dir> -DSCRATCH=<scratch dir> -DLIBDIR=<CMAKE_INSTALL_LIBDIR>
# -DMAKE_PROGRAM=<ninja> -DCXX=<compiler> -DPKG_CONFIG=<pkg-config> -DPROGRAM=<pkg_config_program.cpp>
set(prefix ${SCRATCH}/prefix)
file(REMOVE_RECURSE ${SCRATCH})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD} --prefix ${prefix} COMMAND_ERROR_IS_FATAL ANY)

# The package may point at Halide (which may live inside the source tree, in .venv), never at
# convgen's build or source tree.
cmake_path(GET HALIDE_LIBDIR PARENT_PATH halide_root)
file(GLOB_RECURSE package_files ${prefix}/*.cmake ${prefix}/*.pc)
foreach(package_file IN LISTS package_files)
  file(READ ${package_file} text)
  string(REPLACE "${halide_root}" "" text "${text}")
  foreach(tree IN ITEMS ${BUILD} ${SOURCE_ROOT})
    string(FIND "${text}" "${tree}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "${package_file} refers to ${tree}")
    endif()
  endforeach()
endforeach()

# examples/, with the prefix as the only way to convgen (no convgen_DIR, no package registry).
set(SOURCE ${EXAMPLES})
set(BINARY ${SCRATCH}/example)
set(PACKAGE -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
include(${CMAKE_CURRENT_LIST_DIR}/../aot/example_project.cmake)
file(STRINGS ${BINARY}/CMakeCache.txt convgen_dir REGEX "^convgen_DIR:")
string(REGEX REPLACE "^convgen_DIR:[A-Z]+=" "" convgen_dir "${convgen_dir}")
cmake_path(IS_PREFIX prefix "${convgen_dir}" NORMALIZE found_in_prefix)
if(NOT found_in_prefix)
  message(FATAL_ERROR "examples/ found convgen in ${convgen_dir}, not in ${prefix}")
endif()

# pkg-config: compile, link and run with its flags alone.
set(ENV{PKG_CONFIG_PATH} ${prefix}/${LIBDIR}/pkgconfig)
execute_process(COMMAND ${PKG_CONFIG} --cflags --libs convgen OUTPUT_VARIABLE flags OUTPUT_STRIP_TRAILING_WHITESPACE
                COMMAND_ERROR_IS_FATAL ANY)
separate_arguments(flags UNIX_COMMAND "${flags}")
execute_process(COMMAND ${CXX} -std=c++20 ${PROGRAM} ${flags} -o ${SCRATCH}/pkg_config_program
                COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${SCRATCH}/pkg_config_program ${SCRATCH}/kernel_cache COMMAND_ERROR_IS_FATAL ANY)
