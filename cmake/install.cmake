# `cmake --install`: headers, libnib (shared; static when built), a CMake package
# (find_package(nib CONFIG) -> nib::nib, nib::nib_static) and a relocatable pkg-config file.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(NIB_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/nib)

install(TARGETS nib EXPORT nibTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT nibTargets NAMESPACE nib:: DESTINATION ${NIB_CMAKE_DIR})

if(TARGET nib_static)
  # The static library carries its dependencies (and the ISA flags) in its link interface.
  install(TARGETS nib_static nib_flags EXPORT nibStaticTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT nibStaticTargets NAMESPACE nib:: DESTINATION ${NIB_CMAKE_DIR})
endif()

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/nib DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_SOURCE_DIR}/capi/include/nib.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/nibConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/nibConfig.cmake INSTALL_DESTINATION ${NIB_CMAKE_DIR})
# 0.x: minor versions may break the C++ API (the C ABI never breaks).
write_basic_package_version_file(${PROJECT_BINARY_DIR}/nibConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/nibConfig.cmake ${PROJECT_BINARY_DIR}/nibConfigVersion.cmake
        DESTINATION ${NIB_CMAKE_DIR})

# pkg-config: prefix relative to the .pc file, so the tree can be installed anywhere.
file(RELATIVE_PATH NIB_PC_PREFIX ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
configure_file(${CMAKE_CURRENT_LIST_DIR}/nib.pc.in ${PROJECT_BINARY_DIR}/nib.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/nib.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
