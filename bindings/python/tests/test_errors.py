import pytest

import nib


def test_missing_folder(tmp_path):
    with pytest.raises(nib.NibError) as e:
        nib.Model(tmp_path / "does-not-exist")
    assert "does-not-exist" in str(e.value)
    assert str(e.value).startswith("nib_model_load: ")


def test_malformed_config(tmp_path):
    (tmp_path / "config.json").write_text('{"architectures": [')
    with pytest.raises(nib.FormatError) as e:
        nib.Model(tmp_path)
    assert "config.json" in str(e.value)
    assert isinstance(e.value, ValueError)


def test_bad_options(shared):
    with pytest.raises(nib.InvalidArgumentError):
        nib.Model(shared / "models" / "stories260K", weights="f64")
    assert nib.Model(shared / "models" / "stories260K", weights="int4").info.model_type == "llama"
    with pytest.raises(nib.InvalidArgumentError, match="threads"):
        nib.Model(shared / "models" / "stories260K", threads=-1)


def test_cancelled_load(shared):
    seen = []
    with pytest.raises(nib.CancelledError):
        nib.Model(shared / "models" / "stories260K", progress=lambda f: seen.append(f) or False)
    assert len(seen) == 1


def test_raising_progress_callback_cancels_and_reraises(shared):
    def boom(_):
        raise KeyError("from the callback")
    with pytest.raises(KeyError, match="from the callback"):
        nib.Model(shared / "models" / "stories260K", progress=boom)


def test_progress_reaches_the_end(shared):
    seen = []
    nib.Model(shared / "models" / "stories260K", progress=seen.append)
    assert seen and seen[-1] == pytest.approx(1.0)


def test_context_full(stories):
    with stories.session(n_ctx=4) as s:
        with pytest.raises(nib.ContextFullError):
            s.generate("Once upon a time there was a girl")


def test_invalid_generation_options(stories):
    with pytest.raises(nib.InvalidArgumentError):
        stories.generate("Once", top_p=0.0)
    with pytest.raises(TypeError):
        stories.generate("Once", bogus=1)


def test_wrong_task_for_the_model(stories):
    with pytest.raises(nib.InvalidArgumentError):
        stories.classify("hello")


def test_closed_session_raises(stories):
    s = stories.session()
    s.close()
    with pytest.raises(nib.InvalidArgumentError, match="session is NULL"):
        s.generate("Once")


def test_malformed_weights_raise_the_library_message(shared, tmp_path):
    # A valid config and tokenizer, but model.safetensors is garbage: a NibError carrying libnib's own
    # message (the same text nib_last_error() holds), never a crash.
    src = shared / "models" / "stories260K"
    for name in ("config.json", "tokenizer.model", "tokenizer_config.json", "special_tokens_map.json"):
        (tmp_path / name).symlink_to(src / name)
    (tmp_path / "model.safetensors").write_bytes(b"\xff" * 64)
    with pytest.raises(nib.NibError) as e:
        nib.Model(tmp_path)
    assert str(e.value) == nib._lib.last_error()
    assert str(e.value).startswith("nib_model_load: ") and "safetensors" in str(e.value)


def test_chat_without_a_template(stories):
    with pytest.raises(nib.UnsupportedError, match="chat_template"):
        stories.chat([{"role": "user", "content": "hi"}])


def test_stream_reraises_in_the_consumer(stories):
    with stories.session(n_ctx=4) as s:
        with pytest.raises(nib.ContextFullError):
            list(s.stream("Once upon a time there was a girl"))
        assert s.generate("Once", max_tokens=1) is not None  # still usable


def test_memory_cap(shared):
    path = shared / "models" / "stories260K"
    with pytest.raises(nib.NibMemoryError, match="max_memory_bytes allows 1000") as e:
        nib.Model(path, max_memory_bytes=1000)
    assert isinstance(e.value, MemoryError)
    model = nib.Model(path, threads=1, max_memory_bytes=64 << 20)
    assert isinstance(model.generate("Once", max_new_tokens=2), str)
