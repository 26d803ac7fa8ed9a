# Installation: the program, liballoyscout (shared + static), the public headers, alloyscout.pc,
# the CMake package (find_package(alloyscout)), the shipped data, man pages and bash completion.
# Layout: docs/install.md.
include(CMakePackageConfigHelpers)

install(TARGETS alloyscout RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET alloyscout_meam_model) # the meam oracle's KIM model module (src/oracle/meam.c finds it)
  install(TARGETS alloyscout_meam_model LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/alloyscout-kim)
endif()
install(TARGETS alloyscout_shared alloyscout_static EXPORT alloyscoutTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_COMPONENT Development
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
file(GLOB AS_PUBLIC_HEADERS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/include/alloyscout/*.h)
install(FILES ${AS_PUBLIC_HEADERS} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/alloyscout)

# pkg-config: relocatable (prefix found from the .pc file's own directory), so that
# `cmake --install build --prefix P` gives a correct file for any P.
file(RELATIVE_PATH AS_PC_TO_PREFIX "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
string(REGEX REPLACE "/$" "" AS_PC_TO_PREFIX "${AS_PC_TO_PREFIX}")
set(AS_PC_LIBS_PRIVATE "-lm -pthread")
if(CMAKE_DL_LIBS)
  string(APPEND AS_PC_LIBS_PRIVATE " -l${CMAKE_DL_LIBS}")
endif()
configure_file(${CMAKE_SOURCE_DIR}/cmake/alloyscout.pc.in ${CMAKE_BINARY_DIR}/alloyscout.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/alloyscout.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# CMake package: alloyscout::alloyscout (shared) and alloyscout::alloyscout_static.
set(AS_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/alloyscout)
install(EXPORT alloyscoutTargets NAMESPACE alloyscout:: DESTINATION ${AS_CMAKE_DIR})
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/alloyscoutConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/alloyscoutConfig.cmake INSTALL_DESTINATION ${AS_CMAKE_DIR}
                              PATH_VARS CMAKE_INSTALL_DATADIR)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/alloyscoutConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/alloyscoutConfig.cmake
        ${CMAKE_BINARY_DIR}/alloyscoutConfigVersion.cmake DESTINATION ${AS_CMAKE_DIR})

# The data files the program and library read (as_data_path): <prefix>/share/alloyscout.
set(_data ${AS_DATA_FILES})
list(REMOVE_ITEM _data examples)
list(TRANSFORM _data PREPEND ${CMAKE_SOURCE_DIR}/data/)
install(FILES ${_data} DESTINATION ${CMAKE_INSTALL_DATADIR}/alloyscout)
if(examples IN_LIST AS_DATA_FILES)
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/data/examples DESTINATION ${CMAKE_INSTALL_DATADIR}/alloyscout)
endif()

# Man pages and bash completion, generated from the built program's own help text
# (cmake/gen-man.cmake runs `alloyscout help` and `alloyscout <command> --help`).
if(AS_BUILD_DOCS AND NOT CMAKE_CROSSCOMPILING)
  set(AS_MAN_DIR ${CMAKE_BINARY_DIR}/man)
  add_custom_command(OUTPUT ${AS_MAN_DIR}/man1/alloyscout.1
                     COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0
                             ${CMAKE_COMMAND} -DPROGRAM=$<TARGET_FILE:alloyscout>
                             -DOUT=${AS_MAN_DIR}/man1 -DVERSION=${PROJECT_VERSION}
                             -P ${CMAKE_SOURCE_DIR}/cmake/gen-man.cmake
                     DEPENDS alloyscout ${CMAKE_SOURCE_DIR}/cmake/gen-man.cmake
                     COMMENT "Generating man pages from alloyscout --help" VERBATIM)
  add_custom_target(alloyscout_man ALL DEPENDS ${AS_MAN_DIR}/man1/alloyscout.1)
  install(DIRECTORY ${AS_MAN_DIR}/man1 DESTINATION ${CMAKE_INSTALL_MANDIR})
endif()
install(FILES ${CMAKE_SOURCE_DIR}/cmake/alloyscout-completion.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME alloyscout)
