# convgen_add_kernels(<name> SUITE <file.jsonl> TARGETS <halide target>... [NETS <net>...] [SCHEDULE <name>]
#                     [TUNING_DB <file.jsonl>])
#
# Generates, at build time, a kernel for every distinct layer of SUITE (optionally only the NETS
# networks) for each of TARGETS, with `convgen compile`. <name> becomes an OBJECT library; link it
# into a program and convgen's layers use these kernels with no JIT whenever the op options,
# shape, layout and schedule match and the target runs on the machine (see README, "Kernel lookup
# order"). TARGETS must be host-linkable CPU targets (e.g. host, x86-64-linux-avx2,
# x86-64-linux-avx512); for other targets call `convgen compile` directly. SCHEDULE defaults to
# `tuned`, the layers' default: each kernel takes TUNING_DB's best config measured on the building
# machine (`convgen tune`), else the rules'; layers adopt a linked kernel's config.
function(convgen_add_kernels name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "SUITE;SCHEDULE;TUNING_DB" "TARGETS;NETS")
  if(NOT ARG_SUITE OR NOT ARG_TARGETS)
    message(FATAL_ERROR "convgen_add_kernels(${name}): SUITE and TARGETS are required")
  endif()
  if(NOT ARG_SCHEDULE)
    set(ARG_SCHEDULE tuned)
  endif()
  set(tuning_args "")
  set(tuning_depends "")
  if(ARG_TUNING_DB)
    cmake_path(ABSOLUTE_PATH ARG_TUNING_DB NORMALIZE)
    set(tuning_args --tuning-db "${ARG_TUNING_DB}")
    set(tuning_depends "${ARG_TUNING_DB}")
  endif()
  cmake_path(ABSOLUTE_PATH ARG_SUITE NORMALIZE)
  set(nets_args "")
  if(ARG_NETS)
    list(JOIN ARG_NETS "," nets)
    set(nets_args --nets ${nets})
  endif()

  set(dir "${CMAKE_CURRENT_BINARY_DIR}/${name}.kernels")
  set(tables "")
  set(libraries "")
  foreach(target IN LISTS ARG_TARGETS)
    string(MAKE_C_IDENTIFIER "${name}_${target}" library)
    # no_runtime: every kernel of the process shares convgen's Halide runtime library.
    add_custom_command(
      OUTPUT "${dir}/${library}.a" "${dir}/${library}.h" "${dir}/${library}.kernels.cpp"
             "${dir}/${library}.manifest.json"
      COMMAND convgen::convgen compile --suite "${ARG_SUITE}" ${nets_args} --target "${target}-no_runtime"
              --schedule "${ARG_SCHEDULE}" ${tuning_args} --name "${library}" -o "${dir}"
              --emit static_library,header,kernel_table
      DEPENDS convgen::convgen "${ARG_SUITE}" ${tuning_depends}
      COMMENT "convgen: generating ${library} (${ARG_SCHEDULE} schedule)"
      VERBATIM)
    list(APPEND tables "${dir}/${library}.kernels.cpp")
    list(APPEND libraries "${dir}/${library}.a")
  endforeach()

  # OBJECT, so the tables' static initialisers are always linked in.
  add_library(${name} OBJECT ${tables})
  target_include_directories(${name} PUBLIC "${dir}")
  target_link_libraries(${name} PUBLIC ${libraries} convgen::runtime)
endfunction()
