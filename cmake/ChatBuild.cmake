# ChatBuild.cmake -- what makes a build of this project cheap: ccache when it is installed, lld
# when the compiler can use it, and precompiled headers shared between targets. Included once by
# the top-level CMakeLists.txt; targets opt in with chat_precompiled(<target> <flavour>).

# -- ccache, never required ----------------------------------------------------------------------
# Precompiled headers are only cached with these sloppiness settings (ccache manual, "Precompiled
# headers"); they are passed per call so a user's ccache.conf is left alone.
option(CHAT_CCACHE "compile through ccache when it is installed" ON)
find_program(CHAT_CCACHE_PROGRAM ccache)
mark_as_advanced(CHAT_CCACHE_PROGRAM)
if(CHAT_CCACHE AND CHAT_CCACHE_PROGRAM AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(_chat_launcher "${CMAKE_COMMAND}" -E env
    "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
    "${CHAT_CCACHE_PROGRAM}")
  set(CMAKE_CXX_COMPILER_LAUNCHER ${_chat_launcher})
  set(CMAKE_C_COMPILER_LAUNCHER ${_chat_launcher})
  message(STATUS "chat: compiling through ${CHAT_CCACHE_PROGRAM}")
endif()

# -- lld: links the many test executables several times faster than GNU ld ---------------------
option(CHAT_LLD "link with lld when the compiler accepts -fuse-ld=lld" ON)
if(CHAT_LLD)
  include(CheckLinkerFlag)
  check_linker_flag(CXX -fuse-ld=lld CHAT_HAS_LLD)
  if(CHAT_HAS_LLD)
    add_link_options(-fuse-ld=lld)
  endif()
endif()

# -- Precompiled headers -------------------------------------------------------------------------
# CAF, Asio, spdlog and GoogleTest are most of what every translation unit parses. One holder
# target per flavour compiles them once (about 15 s each); every target of that flavour reuses its
# .gch. A reused PCH must be built with the same flags, so the holder links the same libraries
# the flavour needs, and chat_precompiled() adds those to the target too. Few flavours, because
# each costs a compile of its own:
#   core       CAF, spdlog, the standard library: messages/, actors/, and what never sees Asio
#   asio<sfx>  core + Boost.Asio as configured by asio_backend<sfx>, + GoogleTest's headers when
#              testing: transport/, the apps, and every test executable
# Test code is compiled without optimisation (tests/CMakeLists.txt), and a PCH is only reused
# with the flags it was built with, so tests have their own holders: the directory variable
# chat_pch_scope names them (chat_pch_<flavour><scope>), each made in the first directory that
# asks for it and so with that directory's flags.
option(CHAT_PCH "precompiled headers (off: every file parses its includes itself)" ON)

set(_chat_pch_core <caf/all.hpp> <caf/cow_tuple.hpp> <spdlog/spdlog.h> <algorithm> <array>
  <atomic> <chrono> <cstddef> <cstdint> <functional> <map> <memory> <mutex> <optional> <set>
  <string> <string_view> <thread> <unordered_map> <vector>)

function(_chat_pch_libraries flavour out)
  set(libs CAF::core spdlog::spdlog)
  if(flavour MATCHES "^asio(.*)$")
    list(APPEND libs asio_backend${CMAKE_MATCH_1})
    if(TARGET chat_gtest_headers)
      list(APPEND libs chat_gtest_headers)
    endif()
  endif()
  set(${out} ${libs} PARENT_SCOPE)
endfunction()

function(_chat_pch_holder flavour)
  set(holder chat_pch_${flavour}${chat_pch_scope})
  if(TARGET ${holder})
    return()
  endif()
  set(headers ${_chat_pch_core})
  if(flavour MATCHES "^asio")
    list(APPEND headers <boost/asio.hpp>)
    if(TARGET chat_gtest_headers)
      list(APPEND headers <gtest/gtest.h>)
    endif()
  endif()
  set(stub "${PROJECT_BINARY_DIR}/pch/${holder}.cpp")
  if(NOT EXISTS "${stub}")
    file(WRITE "${stub}" "// compiled only to produce the precompiled header of ${holder}\n")
  endif()
  add_library(${holder} OBJECT "${stub}")
  _chat_pch_libraries(${flavour} libs)
  target_link_libraries(${holder} PRIVATE ${libs})
  target_compile_options(${holder} PRIVATE ${CHAT_WARNINGS})
  target_precompile_headers(${holder} PRIVATE ${headers})
endfunction()

# chat_precompiled(<target> <flavour>): <target> reuses the flavour's precompiled header.
function(chat_precompiled target flavour)
  if(NOT CHAT_PCH)
    return()
  endif()
  _chat_pch_holder(${flavour})
  _chat_pch_libraries(${flavour} libs)
  target_link_libraries(${target} PRIVATE ${libs})
  target_precompile_headers(${target} REUSE_FROM chat_pch_${flavour}${chat_pch_scope})
endfunction()
