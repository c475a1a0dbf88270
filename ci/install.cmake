# Installing procbench like a tool, included by the top-level CMakeLists.txt:
# where its files go (GNU layout), how the binary finds them again from
# wherever the prefix ends up, the procbench(1) man page made from --help,
# and the Debian package (cpack -G DEB, or ci/package).
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

# The Debian package: `cpack -G DEB` in a build tree, or ci/package.
set(CPACK_PACKAGE_NAME procbench)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "measures the cost of creating processes and of talking to them")
# One paragraph in lines of under 80 columns, as Debian's descriptions are.
string(JOIN "\n" CPACK_PACKAGE_DESCRIPTION
  "procbench times fork+exec, vfork, posix_spawn, clone, libuv's uv_spawn,"
  "a shell, a thread and a pre-forked worker, from small and large parents;"
  "pipes, sockets, shared memory, eventfd, message queues and TCP between two"
  "processes; buffered against streamed child output; and Node.js"
  "child_process beside the system calls under it. Every number comes with"
  "its distribution, its confidence interval, the CPUs both ends ran on and"
  "the environment that produced it. procbench report draws plots with"
  "gnuplot; procbench compare and procbench check gate CI jobs on"
  "regressions.")
set(PROCBENCH_DEB_MAINTAINER "procbench maintainers <maintainers@procbench.invalid>"
    CACHE STRING "The Maintainer field of the Debian package")
set(CPACK_PACKAGE_CONTACT "${PROCBENCH_DEB_MAINTAINER}")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Declared, not computed (dpkg-shlibdeps is in dpkg-dev, which a build machine
# may lack): what dpkg-shlibdeps computes for the binary on Debian 12.
# tests/package.sh compares the two wherever dpkg-shlibdeps exists, so a new
# library fails it until added here.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libc6 (>= 2.34), libjansson4 (>= 2.14), libsqlite3-0 (>= 3.7.15), libuv1 (>= 1.20.2)")
# report draws its plots with gnuplot; the node.* scenarios need Node.js
# and are skipped with a reason without it.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gnuplot-nox | gnuplot")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "nodejs")
include(CPack)
