import pickle

from docexchange.errors import ERROR_CODES, DocExchangeError


def test_errors_survive_a_process_boundary() -> None:
    error = DocExchangeError("DX_INVALID_PACKET", "Sai", "Wrong",
                             errors=[{"element": "Subject"}], reason="x")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.code, copy.message_vi, copy.message_en, copy.errors, copy.details) == (
        error.code, error.message_vi, error.message_en, error.errors, error.details)


def test_every_code_has_a_status_and_title() -> None:
    for code, (status, title) in ERROR_CODES.items():
        assert code.startswith("DX_") and 400 <= status < 600 and title


def test_every_error_code_is_exercised_by_some_test() -> None:
    """A code nobody tests is a code nobody knows still works: each must be asserted somewhere."""
    from pathlib import Path
    tests = Path(__file__).parent
    text = "\n".join(p.read_text("utf-8") for p in tests.rglob("test_*.py")
                     if p.name != "test_errors.py")
    missing = [code for code in ERROR_CODES if f'"{code}"' not in text]
    assert missing == []
