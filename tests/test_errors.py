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
