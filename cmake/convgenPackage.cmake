# The build tree as a CMake package: a project finds it with
#   find_package(convgen REQUIRED)   # -Dconvgen_DIR=<convgen build dir>
# and gets convgen::runtime, convgen::convgen (the CLI) and convgen_add_kernels().
include(CMakePackageConfigHelpers)

set_target_properties(convgen_runtime PROPERTIES EXPORT_NAME runtime)
export(TARGETS convgen convgen_runtime convgen_core convgen_generator convgen_schedules convgen_aot convgen_tuning
               convgen_halide_runtime convgen_build_flags
       NAMESPACE convgen::
       FILE ${PROJECT_BINARY_DIR}/convgenTargets.cmake)
configure_file(${CMAKE_CURRENT_LIST_DIR}/convgenConfig.cmake.in ${PROJECT_BINARY_DIR}/convgenConfig.cmake @ONLY)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/convgenConfigVersion.cmake COMPATIBILITY SameMinorVersion)
