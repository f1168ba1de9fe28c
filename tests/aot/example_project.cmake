# ctest: configures and builds examples/ against this build tree's convgen package, then runs it.
# -DSOURCE=<examples dir> -DBINARY=<scratch build dir> -DCONVGEN_DIR=<convgen build dir>
#  -DMAKE_PROGRAM=<ninja> -DCXX=<compiler>
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "failed (${status}): ${ARGN}")
  endif()
endfunction()
run(${CMAKE_COMMAND} -S ${SOURCE} -B ${BINARY} -G Ninja -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}
    -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=Release -Dconvgen_DIR=${CONVGEN_DIR})
run(${CMAKE_COMMAND} --build ${BINARY})
run(${BINARY}/resnet_layer)
