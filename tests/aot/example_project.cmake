# ctest: configures and builds examples/ against a convgen package, then runs it.
# -DSOURCE=<examples dir> -DBINARY=<scratch build dir> -DMAKE_PROGRAM=<ninja> -DCXX=<compiler>
# -DPACKAGE=<how to find convgen: -Dconvgen_DIR=<convgen build dir>, or -DCMAKE_PREFIX_PATH=<prefix>>
# Also included by tests/install/installed_package.cmake, for the installed package.
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE} -B ${BINARY} -G Ninja -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}
                        -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=Release ${PACKAGE}
                COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BINARY} COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${BINARY}/resnet_layer COMMAND_ERROR_IS_FATAL ANY)
