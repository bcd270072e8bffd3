"""Conan 2 recipe for nib, following ConanCenter conventions (shared/fPIC options, requirements
for every dependency, CMakeDeps + PkgConfigDeps generators, cmake_layout, package_info naming
the CMake target nib::nib and the pkg-config module nib). The recipe lives in the repository, so
export_sources copies the source tree next to it instead of downloading a release archive.
"""
import os

from conan import ConanFile
from conan.tools.build import check_min_cppstd
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout
from conan.tools.files import copy, rmdir
from conan.tools.gnu import PkgConfigDeps

required_conan_version = ">=2.0"


class NibConan(ConanFile):
    name = "nib"
    version = "0.1.0"
    description = "Embeddable C++20 library with a stable C ABI that runs small transformer models on the CPU"
    license = "MIT"
    url = "https://github.com/conan-io/conan-center-index"
    homepage = "https://github.com/nib/nib"
    topics = ("transformers", "llm", "inference", "bert", "llama")
    package_type = "library"
    settings = "os", "arch", "compiler", "build_type"
    options = {"shared": [True, False], "fPIC": [True, False]}
    default_options = {"shared": True, "fPIC": True}

    def export_sources(self):
        root = os.path.join(self.recipe_folder, "..")
        for pattern in ("CMakeLists.txt", "cmake/*", "include/*", "lib/*", "capi/*", "examples/*", "LICENSE*"):
            copy(self, pattern, src=root, dst=self.export_sources_folder)

    def config_options(self):
        if self.settings.os == "Windows":
            del self.options.fPIC

    def configure(self):
        if self.options.shared:
            self.options.rm_safe("fPIC")

    def layout(self):
        cmake_layout(self, src_folder=".")

    def requirements(self):
        # The same libraries as the Debian packages of DESIGN.md's table.
        self.requires("onednn/3.3.4")
        self.requires("eigen/3.4.0")
        self.requires("nlohmann_json/3.11.3")
        self.requires("sentencepiece/0.1.98")
        self.requires("pcre2/10.42")
        self.requires("utf8proc/2.9.0")
        self.requires("cli11/2.4.1")  # the `nib` command in examples/cli

    def validate(self):
        check_min_cppstd(self, 20)

    def generate(self):
        tc = CMakeToolchain(self)
        tc.variables["NIB_BUILD_TESTS"] = False
        tc.variables["NIB_BUILD_BENCH"] = False
        tc.variables["NIB_BUILD_STATIC"] = not self.options.shared
        tc.generate()
        CMakeDeps(self).generate()
        PkgConfigDeps(self).generate()  # sentencepiece, pcre2 and utf8proc are found by pkg-config

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        cmake.build(target="nib" if self.options.shared else "nib_static")

    def package(self):
        copy(self, "LICENSE*", src=self.source_folder, dst=os.path.join(self.package_folder, "licenses"))
        CMake(self).install()
        # ConanCenter: the package manager provides its own CMake and pkg-config files.
        rmdir(self, os.path.join(self.package_folder, "lib", "cmake"))
        rmdir(self, os.path.join(self.package_folder, "lib", "pkgconfig"))

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "nib")
        self.cpp_info.set_property("cmake_target_name", "nib::nib")
        self.cpp_info.set_property("pkg_config_name", "nib")
        self.cpp_info.libs = ["nib"]
        if self.settings.os in ("Linux", "FreeBSD"):
            self.cpp_info.system_libs = ["pthread", "m", "dl"]
