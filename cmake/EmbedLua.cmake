# leadflow_embed_lua(TARGET file.lua...): each Lua script becomes a C++ header
# at configure time, so scripts live in .lua files (readable, with their KEYS
# and ARGV documented in a header comment) and still ship inside the binary.
#
#   services/x/app/claim_lead.lua  ->  #include "claim_lead.lua.h"
#                                      leadflow::lua::kClaimLead (std::string_view)
#
# Redis runs each script alone (no `require`), so a piece of Lua that several
# scripts share lives once in its own file and is pasted in where a script says
#
#   -- @include common/view/view_gate.lua
#
# (a path under services/; the shared file defines local functions only).
#
# Editing a .lua file re-runs the configure step, which rewrites the header only
# when the script changed.
function(leadflow_embed_lua target)
  set(out_dir ${CMAKE_CURRENT_BINARY_DIR}/embedded_lua)
  foreach(src ${ARGN})
    get_filename_component(path ${src} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    get_filename_component(base ${src} NAME_WE)
    string(REPLACE "_" ";" parts ${base})
    set(symbol "k")
    foreach(part ${parts})
      string(SUBSTRING ${part} 0 1 first)
      string(SUBSTRING ${part} 1 -1 rest)
      string(TOUPPER ${first} first)
      string(APPEND symbol ${first}${rest})
    endforeach()
    file(READ ${path} LUA_BODY)
    string(REGEX MATCHALL "-- @include [A-Za-z0-9_/]+\\.lua" includes "${LUA_BODY}")
    foreach(inc ${includes})
      string(REPLACE "-- @include " "" inc_path "${inc}")
      set(inc_file ${PROJECT_SOURCE_DIR}/services/${inc_path})
      if(NOT EXISTS ${inc_file})
        message(FATAL_ERROR "${src}: ${inc}: no file services/${inc_path}")
      endif()
      file(READ ${inc_file} inc_body)
      string(REPLACE "${inc}" "-- (from services/${inc_path})\n${inc_body}" LUA_BODY "${LUA_BODY}")
      set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${inc_file})
    endforeach()
    string(FIND "${LUA_BODY}" ")lua\"" clash)
    if(NOT clash EQUAL -1)
      message(FATAL_ERROR "${src}: the script may not contain the text )lua\"")
    endif()
    file(CONFIGURE OUTPUT ${out_dir}/${base}.lua.h
      CONTENT "// Generated from ${src} by leadflow_embed_lua(); edit the .lua file.\n#pragma once\n#include <string_view>\nnamespace leadflow::lua {\ninline constexpr std::string_view ${symbol} = R\"lua(${LUA_BODY})lua\";\n}  // namespace leadflow::lua\n"
      @ONLY)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${path})
  endforeach()
  target_include_directories(${target} PRIVATE ${out_dir})
endfunction()
