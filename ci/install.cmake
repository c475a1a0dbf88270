# Installing procbench like a tool, included by the top-level CMakeLists.txt:
# where its files go (GNU layout), how the binary finds them again from
# wherever the prefix ends up, and the procbench(1) man page made from --help.
#
#   P/bin/procbench
#   P/libexec/procbench/   procbench-child, procbench-driver.js, procbench-empty.js
#   P/share/procbench/     plots/*.gp, expectations
#   P/share/man/man1/procbench.1.gz
#
# `xargs rm < build/install_manifest.txt` removes every file again
# (tests/install.sh checks that the manifest lists them all).
include(GNUInstallDirs)
set(PROCBENCH_INSTALL_LIBEXECDIR ${CMAKE_INSTALL_LIBEXECDIR}/procbench)
set(PROCBENCH_INSTALL_DATADIR ${CMAKE_INSTALL_DATADIR}/procbench)

# The binary finds its files relative to its own folder (harness/base/locate.c),
# never through the prefix configured here: a moved prefix, or a package
# unpacked anywhere, still works. A build tree's binary uses the build tree
# and this source tree instead.
file(RELATIVE_PATH PROCBENCH_LIBEXEC_FROM_BIN ${CMAKE_INSTALL_FULL_BINDIR}
     ${CMAKE_INSTALL_FULL_LIBEXECDIR}/procbench)
file(RELATIVE_PATH PROCBENCH_DATA_FROM_BIN ${CMAKE_INSTALL_FULL_BINDIR}
     ${CMAKE_INSTALL_FULL_DATADIR}/procbench)
target_compile_definitions(procbench_core PRIVATE
  PROCBENCH_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
  PROCBENCH_INSTALL_LIBEXEC_REL="${PROCBENCH_LIBEXEC_FROM_BIN}"
  PROCBENCH_INSTALL_DATA_REL="${PROCBENCH_DATA_FROM_BIN}")

# procbench(1): the prose of harness/cli/procbench.1.in around what
# `procbench --help` prints (synopsis, commands, every option), put together
# by ci/manpage at build time, so the two cannot drift; tests/manpage.sh
# checks the rest (environment, exit status) against the sources.
configure_file(${CMAKE_SOURCE_DIR}/harness/cli/procbench.1.in
               ${CMAKE_BINARY_DIR}/generated/procbench.1.in @ONLY)
add_custom_command(
  OUTPUT ${CMAKE_BINARY_DIR}/procbench.1 ${CMAKE_BINARY_DIR}/procbench.1.gz
  COMMAND ${CMAKE_SOURCE_DIR}/ci/manpage $<TARGET_FILE:procbench>
          ${CMAKE_BINARY_DIR}/generated/procbench.1.in ${CMAKE_BINARY_DIR}/procbench.1
  DEPENDS procbench ${CMAKE_SOURCE_DIR}/ci/manpage ${CMAKE_BINARY_DIR}/generated/procbench.1.in
  COMMENT "Writing procbench.1 from procbench --help"
  VERBATIM)
add_custom_target(procbench_manpage ALL
  DEPENDS ${CMAKE_BINARY_DIR}/procbench.1 ${CMAKE_BINARY_DIR}/procbench.1.gz)

# Libraries outside the system's folders (a libuv of one's own) stay
# reachable from the installed binary.
set_target_properties(procbench PROPERTIES INSTALL_RPATH_USE_LINK_PATH TRUE)
install(TARGETS procbench RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS procbench-child RUNTIME DESTINATION ${PROCBENCH_INSTALL_LIBEXECDIR})
install(FILES ${CMAKE_SOURCE_DIR}/bench/child/procbench-driver.js
              ${CMAKE_SOURCE_DIR}/bench/child/procbench-empty.js
        DESTINATION ${PROCBENCH_INSTALL_LIBEXECDIR})
file(GLOB PROCBENCH_PLOT_SCRIPTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/plots/*.gp)
install(FILES ${PROCBENCH_PLOT_SCRIPTS} DESTINATION ${PROCBENCH_INSTALL_DATADIR}/plots)
install(FILES ${CMAKE_SOURCE_DIR}/ci/expectations DESTINATION ${PROCBENCH_INSTALL_DATADIR})
install(FILES ${CMAKE_BINARY_DIR}/procbench.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
