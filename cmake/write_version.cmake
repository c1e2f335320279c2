# Run at every build (cmake -P, from the tdlab_version target): writes the generated version.cpp with the
# commit the sources are at now, "-dirty" when tracked files differ from it. configure_file rewrites the file
# only when its text changes, so an unchanged commit relinks nothing. Reading the commit once at configure
# time (as before) left every manifest.json of an incremental rebuild after `git pull` with the old hash.
# In: SOURCE_DIR, BINARY_DIR, PROJECT_VERSION.
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE TDLAB_GIT_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT TDLAB_GIT_COMMIT)
  set(TDLAB_GIT_COMMIT "unknown")
else()
  execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY ${SOURCE_DIR}
                  OUTPUT_VARIABLE changes OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(changes)
    string(APPEND TDLAB_GIT_COMMIT "-dirty")
  endif()
endif()
configure_file(${SOURCE_DIR}/src/core/version.cpp.in ${BINARY_DIR}/generated/version.cpp @ONLY)
