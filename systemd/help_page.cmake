# Build step (see CMakeLists.txt): writes OUTPUT, a man-page-like text page for
# the program NAME (version VERSION), from `PROGRAM --help`.

execute_process(
  COMMAND "${PROGRAM}" --help
  OUTPUT_VARIABLE _help
  ERROR_VARIABLE _error
  RESULT_VARIABLE _result
  TIMEOUT 30)
if(NOT _result EQUAL 0)
  message(FATAL_ERROR "${NAME} --help failed (${_result}): ${_error}")
endif()

string(TOUPPER "${NAME}" _title)
set(_files "")
if(NOT NAME STREQUAL "dbcachectl")
  set(_files "FILES
    /etc/dbcache/dbcache.env
        Settings when run by systemd (EnvironmentFile=, mode 0600, root:root);
        see dbcache.env.example beside this page.

")
endif()
file(WRITE "${OUTPUT}" "${_title}(1)                    dbcache ${VERSION}                    ${_title}(1)

NAME
    ${NAME}

DESCRIPTION
    What `${NAME} --help` prints:

${_help}
${_files}SEE ALSO
    dbcached(1), dbcache-web(1), dbcachectl(1), deploy.md
")
