"""Issue 13, "Bad definitions and values", in the core and the server's settings: values that once made a URL
immortal, injected response headers or read a device until memory ran out."""

from __future__ import annotations

import os
import threading
import time

import pytest
from click.testing import CliRunner

from flowmock_receiver import create_app
from flowmock_receiver.core import jsontext
from flowmock_receiver.core.content import parse_json
from flowmock_receiver.core.errors import ConfigFileError, FlowDefinitionError
from flowmock_receiver.core.flows import check_definition
from flowmock_receiver.core.signing import sign, trigger_permission, verify
from flowmock_receiver.core.store import MemoryStore
from flowmock_receiver.serving.config_file import MAX_CONFIG_BYTES, load_config
from flowmock_schemas.cli import main

KEYS = ("primary-key", "secondary-key")
SP = trigger_permission("manual")


@pytest.mark.parametrize("se", ["nan", "NaN", "inf", "Infinity", "1e400", "-nan"])
def test_se_nan_or_inf_never_makes_a_url_that_does_not_expire(se):
    sig = sign(KEYS[0], SP, "1.0", se)
    assert not verify(KEYS, SP, "1.0", sig, se, "manual").ok


def test_finite_se_still_expires_and_a_future_one_still_works():
    future, past = str(time.time() + 3600), str(time.time() - 1)
    assert verify(KEYS, SP, "1.0", sign(KEYS[0], SP, "1.0", future), future, "manual").ok
    expired = verify(KEYS, SP, "1.0", sign(KEYS[0], SP, "1.0", past), past, "manual")
    assert not expired.ok and expired.expired


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
@pytest.mark.parametrize(
    "definition",
    [
        lambda v: {"faults": {"throttle": {"limit": 1, "window_seconds": v}}},
        lambda v: {"faults": {"failure_rate": v}},
        lambda v: {"schema": {"type": "number", "maximum": v}},
        lambda v: {"response": {"status": 200, "body": [{"x": v}]}},
    ],
    ids=["throttle-window", "failure-rate", "schema", "response-body"],
)
def test_non_finite_numbers_anywhere_in_a_definition_are_refused(definition, value):
    with pytest.raises(FlowDefinitionError, match="finite"):
        check_definition({"name": "x", **definition(value)})


def test_an_absurd_throttle_window_is_refused():
    with pytest.raises(FlowDefinitionError, match="window_seconds"):
        check_definition({"name": "x", "faults": {"throttle": {"limit": 1, "window_seconds": 1e300}}})


def test_toml_inf_in_a_config_file_is_refused_with_one_line(tmp_path):
    path = tmp_path / "flowmock.toml"
    path.write_text('[[flows]]\nname = "a"\nfaults = { throttle = { limit = 1, window_seconds = inf } }\n')
    with pytest.raises(ConfigFileError, match=r"flows\[0\]: 'faults.throttle.window_seconds' must be a finite"):
        load_config(path)


@pytest.mark.parametrize("region", ["westus\r\nX-Injected: 1", "west\nus", "west us", "", "ü"])
def test_region_with_cr_lf_or_other_non_name_characters_is_refused(region):
    with pytest.raises(ValueError, match="region"):
        create_app({"REGION": region or " "}, store=MemoryStore())


def test_serve_refuses_a_region_with_cr_lf_before_starting():
    result = CliRunner().invoke(main, ["serve", "--memory", "--port", "0", "--region", "westus\r\nX-Injected: 1"])
    assert result.exit_code == 2
    assert "is not a region name" in result.output


@pytest.mark.parametrize("url", ["http://a.test\r\nX: 1", "javascript:alert(1)", "http://a.test/?q=1", "ftp://a"])
def test_public_url_that_is_not_a_plain_http_url_is_refused(url):
    with pytest.raises(ValueError, match="public URL"):
        create_app({"PUBLIC_URL": url}, store=MemoryStore())


def test_config_from_dev_zero_is_refused_with_one_line_without_reading_it():
    with pytest.raises(ConfigFileError, match=r"^/dev/zero: not a regular file$"):
        load_config("/dev/zero")


def test_config_from_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []
    reader = threading.Thread(target=lambda: _capture(outcome, lambda: load_config(fifo)), daemon=True)
    reader.start()
    reader.join(5)
    assert not reader.is_alive(), "load_config blocked on a FIFO"
    assert isinstance(outcome[0], ConfigFileError) and "not a regular file" in str(outcome[0])


def _capture(into: list[BaseException], fn) -> None:
    try:
        fn()
    except BaseException as exc:  # handed to the test thread
        into.append(exc)


def test_config_larger_than_the_limit_is_refused(tmp_path):
    path = tmp_path / "big.toml"
    path.write_bytes(b"# " + b"x" * MAX_CONFIG_BYTES + b"\n")
    with pytest.raises(ConfigFileError, match="larger than"):
        load_config(path)


def test_serve_with_config_dev_zero_exits_2_with_one_line():
    result = CliRunner().invoke(main, ["serve", "--memory", "--config", "/dev/zero"])
    assert result.exit_code == 2
    assert result.output.strip() == "flowmock: /dev/zero: not a regular file"


def test_big_numbers_keep_their_literal_and_compare_as_numbers():
    value = parse_json(b'{"f": 1e400, "i": ' + b"9" * 4400 + b', "ok": 1.5}')
    assert value["f"] == float("inf") and str(value["f"]) == "1e400"
    assert value["i"] > 10**4000 and str(value["i"]) == "9" * 4400
    assert jsontext.dumps(value) == '{"f": "1e400", "i": "%s", "ok": 1.5}' % ("9" * 4400)


def test_json_output_never_writes_infinity_or_nan():
    text = jsontext.dumps({"a": float("inf"), "b": float("nan"), "c": [float("-inf")], "d": 10**5000})
    assert "Infinity" not in text.replace('"Infinity"', "").replace('"-Infinity"', "")
    assert text.startswith('{"a": "Infinity", "b": "NaN", "c": ["-Infinity"], "d": "1000')


def test_lone_surrogates_are_escaped_for_utf8_and_pages():
    assert jsontext.utf8('{"s": "\udfff"}') == b'{"s": "\\udfff"}'
    assert jsontext.printable("a\ud800b") == "a\\ud800b"
    assert jsontext.printable("\U0001f600") == "\U0001f600"
