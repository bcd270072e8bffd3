# `pip install ./bindings/python` works: installs a copy of the package (so the build leaves the
# source tree clean) into a scratch target with libnib next to it, then imports it and generates
# without NIB_LIBRARY.  cmake -DPYTHON=... -DSOURCE=... -DWORK=... -DLIB=... -DMODEL=... -P this
cmake_minimum_required(VERSION 3.25)
file(REMOVE_RECURSE ${WORK})
file(COPY ${SOURCE}/ DESTINATION ${WORK}/src PATTERN build EXCLUDE PATTERN *.egg-info EXCLUDE PATTERN __pycache__ EXCLUDE)
execute_process(COMMAND ${PYTHON} -m pip install --quiet --no-deps --no-build-isolation --no-index
                        --target ${WORK}/site ${WORK}/src RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "pip install failed: ${err}")
endif()
file(COPY_FILE ${LIB} ${WORK}/site/nib/libnib.so)
unset(ENV{NIB_LIBRARY})
set(ENV{PYTHONPATH} ${WORK}/site)
execute_process(COMMAND ${PYTHON} -c
  "import sys, nib; m = nib.Model(sys.argv[1]); print(nib._lib.lib._name); print(m.generate('Once upon a time', max_tokens=8))"
  ${MODEL} WORKING_DIRECTORY ${WORK} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}")
if(NOT rc EQUAL 0 OR NOT out MATCHES "site/nib/libnib.so\n, there was a little girl")
  message(FATAL_ERROR "the installed package failed (${rc}): ${out}${err}")
endif()
