from hypothesis import given, strategies as st

from hbapp.domain.vouchers import (ALPHABET, is_voucher_code, new_voucher_code,
                                   normalize_voucher_code)


def test_new_codes_have_the_form_and_differ():
    codes = {new_voucher_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(is_voucher_code(c) and len(c) == 12 for c in codes)
    assert not set("01OILUV") & set("".join(codes).replace("HB-", "").replace("-", ""))


def test_typed_codes_are_forgiven_for_case_spaces_and_dashes():
    assert normalize_voucher_code(" hb-2345 abcd ") == "HB-2345-ABCD"
    assert normalize_voucher_code("2345ABCD") == "HB-2345-ABCD"
    assert normalize_voucher_code("HB-2345-ABC0") is None  # 0 is not in the alphabet
    assert normalize_voucher_code("HB-2345-ABC") is None
    assert normalize_voucher_code("x" * 100) is None


@given(st.text(alphabet=ALPHABET, min_size=8, max_size=8))
def test_every_code_normalizes_to_itself(body):
    code = f"HB-{body[:4]}-{body[4:]}"
    assert normalize_voucher_code(code) == code
    assert normalize_voucher_code(code.lower().replace("-", " ")) == code
