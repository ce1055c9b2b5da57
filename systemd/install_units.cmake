# Runs at install time (see CMakeLists.txt): fills the unit templates with the
# install prefix in effect now and installs them. Inputs: DBCACHE_UNITS (source
# paths), DBCACHE_UNITDIR, DBCACHE_BINDIR, DBCACHE_DOCDIR (each relative to the
# prefix or absolute), DBCACHE_STAGING (a scratch folder in the build tree).

function(dbcache_full_path out dir)
  if(IS_ABSOLUTE "${dir}")
    set(${out} "${dir}" PARENT_SCOPE)
  else()
    set(${out} "${CMAKE_INSTALL_PREFIX}/${dir}" PARENT_SCOPE)
  endif()
endfunction()

dbcache_full_path(CMAKE_INSTALL_FULL_BINDIR "${DBCACHE_BINDIR}")
dbcache_full_path(CMAKE_INSTALL_FULL_DOCDIR "${DBCACHE_DOCDIR}")
dbcache_full_path(_unitdir "${DBCACHE_UNITDIR}")

# A staging folder per destination, so that installs to different prefixes at
# the same time (the deploy tests run in parallel) never share files.
string(MD5 _key "$ENV{DESTDIR}|${CMAKE_INSTALL_PREFIX}")
set(_staging "${DBCACHE_STAGING}/${_key}")
set(_staged "")
foreach(_unit IN LISTS DBCACHE_UNITS)
  get_filename_component(_name "${_unit}" NAME)
  configure_file("${_unit}" "${_staging}/${_name}" @ONLY)
  list(APPEND _staged "${_staging}/${_name}")
endforeach()
file(INSTALL DESTINATION "${_unitdir}" TYPE FILE
  PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
  FILES ${_staged})
