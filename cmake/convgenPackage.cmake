# convgen as a CMake package, from the build tree or installed (`cmake --install build --prefix P`):
#   find_package(convgen REQUIRED)   # -Dconvgen_DIR=<build dir>, or CMAKE_PREFIX_PATH=<P>
# gives convgen::runtime, convgen::convgen (the CLI) and convgen_add_kernels(). The install also
# holds the public headers and a convgen.pc for pkg-config.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(package_dir ${CMAKE_INSTALL_LIBDIR}/cmake/convgen)
set_target_properties(convgen_runtime PROPERTIES EXPORT_NAME runtime)

# The CLI finds libconvgen_halide_runtime next to it and libHalide in the Halide it was built with
# (named here: INSTALL_RPATH_USE_LINK_PATH skips it when the venv lies inside the source tree).
file(RELATIVE_PATH bin_to_lib ${CMAKE_INSTALL_FULL_BINDIR} ${CMAKE_INSTALL_FULL_LIBDIR})
set_target_properties(convgen PROPERTIES INSTALL_RPATH "$ORIGIN/${bin_to_lib};$<TARGET_LINKER_FILE_DIR:Halide::Halide>")

# The public headers are the runtime's and core's; the runtime is static, so every library it
# links privately travels with it.
install(TARGETS convgen_runtime convgen_core EXPORT convgenTargets INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS convgen convgen_generator convgen_schedules convgen_aot convgen_tuning convgen_halide_runtime convgen_build_flags
        EXPORT convgenTargets)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/runtime/include/convgen ${PROJECT_SOURCE_DIR}/core/include/convgen
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT convgenTargets NAMESPACE convgen:: DESTINATION ${package_dir})
export(EXPORT convgenTargets NAMESPACE convgen:: FILE ${PROJECT_BINARY_DIR}/convgenTargets.cmake)

# The config includes ConvgenKernels.cmake from its own directory, in both trees.
configure_file(${CMAKE_CURRENT_LIST_DIR}/ConvgenKernels.cmake ${PROJECT_BINARY_DIR}/ConvgenKernels.cmake COPYONLY)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/convgenConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/convgenConfig.cmake
                              INSTALL_DESTINATION ${PROJECT_BINARY_DIR} INSTALL_PREFIX ${PROJECT_BINARY_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/convgenConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/for-install/convgenConfig.cmake
                              INSTALL_DESTINATION ${package_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/convgenConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/for-install/convgenConfig.cmake ${PROJECT_BINARY_DIR}/convgenConfigVersion.cmake
              ${CMAKE_CURRENT_LIST_DIR}/ConvgenKernels.cmake
        DESTINATION ${package_dir})

# pkg-config: the static libraries in link order, then the shared Halide runtime and libHalide.
# Paths are relative to the .pc file, so the prefix given to `cmake --install` need not be known now.
cmake_path(RELATIVE_PATH CMAKE_INSTALL_PREFIX BASE_DIRECTORY ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig
           OUTPUT_VARIABLE pc_to_prefix)
configure_file(${CMAKE_CURRENT_LIST_DIR}/convgen.pc.in ${PROJECT_BINARY_DIR}/convgen.pc.genex @ONLY)
file(GENERATE OUTPUT ${PROJECT_BINARY_DIR}/for-install/convgen.pc INPUT ${PROJECT_BINARY_DIR}/convgen.pc.genex)
install(FILES ${PROJECT_BINARY_DIR}/for-install/convgen.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
