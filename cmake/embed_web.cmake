# Embeds the console's files (web/) into a C++ source: run as a script,
#
#   cmake -DWEB_DIR=<web/> -DSTAGING_DIR=<dir> -DOUTPUT=<file.cc> [-DGZIP=<gzip>]
#         [-DWEB_FILES=<a,b,...>] -P cmake/embed_web.cmake
#
# CMakeLists.txt runs it at build time whenever a file under web/ changes
# (and the fuzz build of the API runs it too, tests/fuzz/run.sh). It writes
# OUTPUT, which defines the table console/asset_table.h declares:
#
#   - every file directly under WEB_DIR (WEB_FILES, or all of them when not
#     given; names starting with '.' or '#' or ending with '~' are editor
#     droppings and left out) is one asset;
#   - every asset but index.html gets a content-hashed name: app.js ->
#     app.<first 8 hex of the SHA-256 of what is served>.js;
#   - in index.html, and in the .css, .js and .mjs files, a reference
#     "/assets/<name>" to another asset is rewritten to its hashed name
#     before that file is hashed itself (files are hashed after the files they
#     refer to; a cycle of references leaves the plain names in, with a
#     warning). A reference in index.html to a file that is not there fails
#     the build;
#   - each asset is stored as served and gzip-compressed (gzip -9n: no name,
#     no time, so the same files give the same bytes); the gzip bytes are
#     left empty when compressing does not make the file smaller (images);
#   - the content type comes from the extension; an unknown extension or a
#     file in a subdirectory fails the build, naming the file.
#
# OUTPUT is rewritten only when its text changes, so an unchanged web/
# compiles nothing.

cmake_minimum_required(VERSION 3.25)

foreach(required WEB_DIR STAGING_DIR OUTPUT)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "embed_web.cmake: -D${required}=... is required")
  endif()
endforeach()
if(NOT DEFINED GZIP)
  find_program(GZIP gzip REQUIRED)
endif()

# ---- the files --------------------------------------------------------------

if(DEFINED WEB_FILES)
  string(REPLACE "," ";" files "${WEB_FILES}")
else()
  file(GLOB_RECURSE files LIST_DIRECTORIES false RELATIVE "${WEB_DIR}" "${WEB_DIR}/*")
endif()
set(assets "")
foreach(file IN LISTS files)
  get_filename_component(base "${file}" NAME)
  if(base MATCHES "^[.#]" OR base MATCHES "~$")
    continue()
  endif()
  if(file MATCHES "/")
    message(FATAL_ERROR "web/${file}: the console's files live directly under web/ "
                        "(served as /assets/<name>); subdirectories are not served")
  endif()
  if(NOT file MATCHES "^[A-Za-z0-9_-][A-Za-z0-9_.-]*$")
    message(FATAL_ERROR "web/${file}: a file name of letters, digits, '.', '_' and '-' only")
  endif()
  list(APPEND assets "${file}")
endforeach()
list(SORT assets)
if(NOT "index.html" IN_LIST assets)
  message(FATAL_ERROR "web/index.html is missing: the console has no page to serve")
endif()

function(content_type_of name out_var)
  get_filename_component(ext "${name}" LAST_EXT)
  string(TOLOWER "${ext}" ext)
  if(ext STREQUAL ".html")
    set(type "text/html; charset=utf-8")
  elseif(ext STREQUAL ".css")
    set(type "text/css; charset=utf-8")
  elseif(ext MATCHES "^\\.m?js$")
    set(type "text/javascript; charset=utf-8")
  elseif(ext STREQUAL ".txt")
    set(type "text/plain; charset=utf-8")
  elseif(ext MATCHES "^\\.(json|map)$")
    set(type "application/json")
  elseif(ext STREQUAL ".webmanifest")
    set(type "application/manifest+json")
  elseif(ext STREQUAL ".svg")
    set(type "image/svg+xml")
  elseif(ext STREQUAL ".ico")
    set(type "image/x-icon")
  elseif(ext MATCHES "^\\.(png|gif|webp)$")
    string(SUBSTRING "${ext}" 1 -1 subtype)
    set(type "image/${subtype}")
  elseif(ext MATCHES "^\\.jpe?g$")
    set(type "image/jpeg")
  elseif(ext MATCHES "^\\.woff2?$")
    string(SUBSTRING "${ext}" 1 -1 subtype)
    set(type "font/${subtype}")
  else()
    message(FATAL_ERROR "web/${name}: unknown file type '${ext}'; add its content type to "
                        "cmake/embed_web.cmake")
  endif()
  set(${out_var} "${type}" PARENT_SCOPE)
endfunction()

# ---- references between files -------------------------------------------------

set(reference_regex "/assets/[A-Za-z0-9_.-]+")

# The asset a reference names ("" when none): "/assets/app.js" -> "app.js". A
# trailing '.' (the end of a sentence in a comment) is not part of a name.
function(referenced_asset reference out_var)
  string(SUBSTRING "${reference}" 8 -1 name)
  while(NOT name STREQUAL "")
    if(name IN_LIST assets AND NOT name STREQUAL "index.html")
      set(${out_var} "${name}" PARENT_SCOPE)
      return()
    endif()
    if(NOT name MATCHES "\\.$")
      break()
    endif()
    string(REGEX REPLACE "\\.$" "" name "${name}")
  endwhile()
  set(${out_var} "" PARENT_SCOPE)
endfunction()

# The assets `text` refers to (each once), and the references that name none.
function(references_of text assets_var unknown_var)
  string(REGEX MATCHALL "${reference_regex}" found "${text}")
  set(named "")
  set(unknown "")
  foreach(reference IN LISTS found)
    referenced_asset("${reference}" name)
    if(name STREQUAL "")
      list(APPEND unknown "${reference}")
    else()
      list(APPEND named "${name}")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES named)
  set(${assets_var} "${named}" PARENT_SCOPE)
  set(${unknown_var} "${unknown}" PARENT_SCOPE)
endfunction()

# `text` with each reference to an asset already hashed (HASHED_<name> set)
# replaced by its hashed name; the rest as it was.
function(rewrite_references text out_var)
  set(result "")
  set(rest "${text}")
  while(TRUE)
    string(REGEX MATCH "${reference_regex}" reference "${rest}")
    if(reference STREQUAL "")
      break()
    endif()
    string(FIND "${rest}" "${reference}" at)
    string(SUBSTRING "${rest}" 0 ${at} before)
    string(LENGTH "${reference}" length)
    math(EXPR after "${at} + ${length}")
    string(SUBSTRING "${rest}" ${after} -1 rest)
    referenced_asset("${reference}" name)
    if(NOT name STREQUAL "" AND DEFINED HASHED_${name})
      string(LENGTH "/assets/${name}" named_length)
      string(SUBSTRING "${reference}" ${named_length} -1 tail)
      set(reference "/assets/${HASHED_${name}}${tail}")
    endif()
    string(APPEND result "${before}${reference}")
  endwhile()
  string(APPEND result "${rest}")
  set(${out_var} "${result}" PARENT_SCOPE)
endfunction()

function(rewrites_references name out_var)
  get_filename_component(ext "${name}" LAST_EXT)
  string(TOLOWER "${ext}" ext)
  if(ext MATCHES "^\\.(html|css|js|mjs)$")
    set(${out_var} TRUE PARENT_SCOPE)
  else()
    set(${out_var} FALSE PARENT_SCOPE)
  endif()
endfunction()

# ---- staging: the bytes served, their hash and gzip ----------------------------

file(REMOVE_RECURSE "${STAGING_DIR}")
file(MAKE_DIRECTORY "${STAGING_DIR}")

# Writes the served bytes of `name` to the staging dir (rewritten, or copied)
# and sets HASH_<name> (64 hex) and, but for index.html, HASHED_<name>.
macro(stage name)
  rewrites_references("${name}" rewrite)
  if(rewrite)
    file(READ "${WEB_DIR}/${name}" text)
    rewrite_references("${text}" text)
    file(WRITE "${STAGING_DIR}/${name}" "${text}")
  else()
    file(COPY_FILE "${WEB_DIR}/${name}" "${STAGING_DIR}/${name}")
  endif()
  file(SHA256 "${STAGING_DIR}/${name}" HASH_${name})
  if(NOT "${name}" STREQUAL "index.html")
    string(SUBSTRING "${HASH_${name}}" 0 8 short)
    get_filename_component(stem "${name}" NAME_WLE)
    get_filename_component(ext "${name}" LAST_EXT)
    set(HASHED_${name} "${stem}.${short}${ext}")
  endif()
endmacro()

# Files first that refer to nothing not yet hashed; index.html last.
set(pending "")
foreach(name IN LISTS assets)
  set(REFS_${name} "")
  rewrites_references("${name}" rewrite)
  if(rewrite)
    file(READ "${WEB_DIR}/${name}" text)
    references_of("${text}" REFS_${name} unknown)
    list(REMOVE_ITEM REFS_${name} "${name}")
    if(name STREQUAL "index.html" AND NOT unknown STREQUAL "")
      list(JOIN unknown ", " unknown)
      message(FATAL_ERROR "web/index.html refers to ${unknown}, which is no file under web/")
    endif()
  endif()
  if(NOT name STREQUAL "index.html")
    list(APPEND pending "${name}")
  endif()
endforeach()
while(NOT pending STREQUAL "")
  set(ready "")
  foreach(name IN LISTS pending)
    set(waits FALSE)
    foreach(ref IN LISTS REFS_${name})
      if(NOT DEFINED HASHED_${ref})
        set(waits TRUE)
      endif()
    endforeach()
    if(NOT waits)
      list(APPEND ready "${name}")
    endif()
  endforeach()
  if(ready STREQUAL "")
    list(JOIN pending ", " cycle)
    message(WARNING "web/: ${cycle} refer to each other in a cycle; their references to each "
                    "other keep the plain names (served with Cache-Control: no-cache)")
    set(ready "${pending}")
  endif()
  foreach(name IN LISTS ready)
    stage("${name}")
    list(REMOVE_ITEM pending "${name}")
  endforeach()
endwhile()
stage("index.html")

# ---- the generated source ----------------------------------------------------

# A C++ string literal of `file`'s bytes, 32 bytes a line, into out_var; its
# length in bytes into length_var.
function(literal_of file out_var length_var)
  file(SIZE "${file}" size)
  file(READ "${file}" hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" escaped "${hex}")
  string(REPEAT "\\\\x[0-9a-f][0-9a-f]" 32 line_regex)
  string(REGEX REPLACE "(${line_regex})" "\\1\"\n    \"" escaped "${escaped}")
  set(${out_var} "\"${escaped}\"" PARENT_SCOPE)
  set(${length_var} ${size} PARENT_SCOPE)
endfunction()

set(data "")
set(table "")
set(index 0)
foreach(name IN LISTS assets)
  set(staged "${STAGING_DIR}/${name}")
  execute_process(COMMAND "${GZIP}" -9 -n -c "${staged}" OUTPUT_FILE "${staged}.gz"
                  RESULT_VARIABLE gzip_status)
  if(NOT gzip_status EQUAL 0)
    message(FATAL_ERROR "gzip -9n of web/${name} failed: ${gzip_status}")
  endif()
  literal_of("${staged}" raw raw_size)
  file(SIZE "${staged}.gz" gzip_size)
  if(gzip_size LESS raw_size)
    literal_of("${staged}.gz" gzip gzip_size)
  else()
    set(gzip "\"\"")
    set(gzip_size 0)
  endif()
  content_type_of("${name}" type)
  string(SUBSTRING "${HASH_${name}}" 0 16 etag)
  if(name STREQUAL "index.html")
    set(served_name "index.html")
  else()
    set(served_name "${HASHED_${name}}")
  endif()
  string(APPEND data "// web/${name}\n"
                     "constexpr char kRaw${index}[] =\n    ${raw};\n"
                     "constexpr char kGzip${index}[] =\n    ${gzip};\n\n")
  string(APPEND table
         "    {\"${served_name}\", \"${name}\", \"${type}\", \"\\\"${etag}\\\"\",\n"
         "     std::string_view(kRaw${index}, ${raw_size}),\n"
         "     std::string_view(kGzip${index}, ${gzip_size})},\n")
  math(EXPR index "${index} + 1")
endforeach()

string(CONCAT source
       "// Generated by cmake/embed_web.cmake from web/; do not edit.\n"
       "#include \"console/asset_table.h\"\n\n"
       "namespace vigil {\nnamespace {\n\n" "${data}"
       "constexpr ConsoleAsset kAssets[] = {\n" "${table}" "};\n\n"
       "}  // namespace\n\n"
       "std::span<const ConsoleAsset> EmbeddedConsoleAssets() { return kAssets; }\n\n"
       "}  // namespace vigil\n")
file(WRITE "${OUTPUT}.new" "${source}")
file(COPY_FILE "${OUTPUT}.new" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.new")
