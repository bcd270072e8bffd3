import ctypes
import os
import subprocess
import sys

import nib
from nib import _lib


def test_versions():
    assert nib.abi_version >= nib.REQUIRED_ABI
    assert nib.library_version.count(".") == 2


def test_struct_sizes_match_the_header():
    # The init functions write struct_size = sizeof in C; ours must agree field for field.
    for struct, init in [(_lib.LoadOptions, "nib_load_options_init"), (_lib.GenerateOptions, "nib_generate_options_init"),
                         (_lib.SessionOptions, "nib_session_options_init"), (_lib.TaskOptions, "nib_task_options_init"),
                         (_lib.ChatOptions, "nib_chat_options_init"), (_lib.ChooseOptions, "nib_choose_options_init"),
                         (_lib.InContextOptions, "nib_in_context_options_init")]:
        o = struct()
        o.struct_size = 0
        assert getattr(_lib.lib, init)(ctypes.byref(o)) == 0
        assert o.struct_size == ctypes.sizeof(struct), struct.__name__


def test_bad_library_path_is_an_import_error(tmp_path):
    env = dict(os.environ, NIB_LIBRARY=str(tmp_path / "nope.so"))
    r = subprocess.run([sys.executable, "-c", "import nib"], env=env, capture_output=True, text=True)
    assert r.returncode != 0
    assert "NIB_LIBRARY" in r.stderr and "ImportError" in r.stderr
