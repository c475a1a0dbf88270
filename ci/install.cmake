# Installing procbench like a tool, included by the top-level CMakeLists.txt:
# where its files go (GNU layout), and how the binary finds them again from
# wherever the prefix ends up.
#
#   P/bin/procbench
#   P/libexec/procbench/   procbench-child, procbench-driver.js, procbench-empty.js
#   P/share/procbench/     plots/*.gp, expectations
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
