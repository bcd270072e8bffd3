# Warnings as errors on our own code only; dependencies are included as SYSTEM.
add_library(nib_warnings INTERFACE)
target_compile_options(nib_warnings INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Werror -Wno-missing-field-initializers>
  # GCC 12 -O3 false positives (PR105329, std::optional); clang has neither warning.
  $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CXX_COMPILER_ID:GNU>>:-Wno-restrict -Wno-maybe-uninitialized>
  # clang reports a `#pragma omp simd` loop it did not vectorize (sanitizer instrumentation in the
  # fuzz build prevents it) as a warning: a missed optimisation hint, not a defect.
  $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CXX_COMPILER_ID:Clang>>:-Wno-pass-failed>
  $<$<COMPILE_LANGUAGE:C>:-Wall -Wextra -Wpedantic -Werror>)

add_library(nib_flags INTERFACE)
if(NIB_NATIVE)
  target_compile_options(nib_flags INTERFACE -march=native)
else()
  target_compile_options(nib_flags INTERFACE -mavx2 -mfma -mf16c)
endif()
if(NIB_SANITIZE)
  target_compile_options(nib_flags INTERFACE -fsanitize=${NIB_SANITIZE} -fno-omit-frame-pointer
                                             -fno-sanitize-recover=all)
  target_link_options(nib_flags INTERFACE -fsanitize=${NIB_SANITIZE})
endif()
