from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hbapp.domain.identifiers import (
    InvalidIdentifier,
    birth_date_from_identity_code,
    is_valid_business_id,
    is_valid_personal_identity_code,
    validate_business_id,
    validate_personal_identity_code,
)

CONTROL_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
SIGNS = {1800: "+", 1900: "-YXWVU", 2000: "ABCDEF"}


def control_char(ddmmyy: str, individual: str) -> str:
    # Written out here rather than trusting published examples.
    return CONTROL_CHARS[int(ddmmyy + individual) % 31]


# Worked by hand: 131052308 % 31 = 25 -> "T"; 010101123 % 31 = 21 -> "N";
# 290224002 % 31 = 18 -> "K"; 311299899 % 31 = 7 -> "7".
@pytest.mark.parametrize(
    ("code", "born"),
    [
        ("131052-308T", date(1952, 10, 13)),
        ("010101A123N", date(2001, 1, 1)),
        ("010101B123N", date(2001, 1, 1)),  # new (2023) 2000s sign
        ("010101+123N", date(1801, 1, 1)),
        ("131052Y308T", date(1952, 10, 13)),  # new (2023) 1900s sign
        ("290224A002K", date(2024, 2, 29)),  # leap day
        ("311299-8997", date(1999, 12, 31)),
    ],
)
def test_valid_identity_codes(code, born):
    assert control_char(code[:6], code[7:10]) == code[10]
    assert validate_personal_identity_code(code) == code
    assert birth_date_from_identity_code(code) == born
    assert is_valid_personal_identity_code(code)


def test_identity_code_is_normalized():
    assert validate_personal_identity_code("  131052-308t ") == "131052-308T"
    assert validate_personal_identity_code("010101a123n") == "010101A123N"


@pytest.mark.parametrize(
    "code",
    [
        "",
        "131052-308",  # too short
        "131052-308TT",
        "131052-308S",  # wrong control char
        "131052G308T",  # unknown century sign
        "131052 308T",
        "290223A002A",  # 29 Feb 2023 does not exist
        "320123A002A",
        "011323A002A",
        "010101A001X",  # individual number 001 is not used
        "010101A000X",
        "13105-2308T",
        "131052-30BT",
        "131052-308G",  # G is not a control char at all
    ],
)
def test_invalid_identity_codes(code):
    with pytest.raises(InvalidIdentifier):
        validate_personal_identity_code(code)
    with pytest.raises(InvalidIdentifier):
        birth_date_from_identity_code(code)
    assert not is_valid_personal_identity_code(code)


def test_invalid_identifier_is_a_value_error_with_a_reason():
    with pytest.raises(ValueError, match="control character"):
        validate_personal_identity_code("131052-308S")


def test_non_text_is_not_valid():
    assert not is_valid_personal_identity_code(None)
    assert not is_valid_business_id(1234567)


@settings(database=None, max_examples=200)
@given(
    born=st.dates(min_value=date(1800, 1, 1), max_value=date(2099, 12, 31)),
    individual=st.integers(min_value=2, max_value=899),
    data=st.data(),
)
def test_generated_identity_codes(born, individual, data):
    sign = data.draw(st.sampled_from(SIGNS[born.year // 100 * 100]))
    ddmmyy = born.strftime("%d%m") + f"{born.year % 100:02d}"
    nnn = f"{individual:03d}"
    check = control_char(ddmmyy, nnn)
    code = f"{ddmmyy}{sign}{nnn}{check}"
    assert validate_personal_identity_code(code.lower()) == code
    assert birth_date_from_identity_code(code) == born
    wrong = data.draw(st.sampled_from(CONTROL_CHARS.replace(check, "")))
    assert not is_valid_personal_identity_code(code[:-1] + wrong)


# Worked by hand: 0112038 -> 0*7+1*9+1*10+2*5+0*8+3*4+8*2 = 57, 57 % 11 = 2, check 11-2 = 9;
# 1572860 -> 7+45+70+10+64+24+0 = 220, 220 % 11 = 0, check 0.
@pytest.mark.parametrize("code", ["0112038-9", "1572860-0"])
def test_valid_business_ids(code):
    assert validate_business_id(code) == code
    assert is_valid_business_id(code)


def test_old_six_digit_business_id_gets_a_leading_zero():
    assert validate_business_id("112038-9") == "0112038-9"
    assert validate_business_id(" 0112038-9 ") == "0112038-9"


@pytest.mark.parametrize(
    "code",
    [
        "",
        "0112038-8",
        "0112038-0",
        "01120389",
        "0112038",
        "112038",
        "12345-6",
        "01120381-9",
        "O112038-9",
        "0112038--9",
        "0112038-9x",
    ],
)
def test_invalid_business_ids(code):
    with pytest.raises(InvalidIdentifier):
        validate_business_id(code)
    assert not is_valid_business_id(code)


WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def _remainder(digits: str) -> int:
    return sum(w * int(d) for w, d in zip(WEIGHTS, digits, strict=True)) % 11


def test_remainder_one_has_no_valid_check_digit():
    digits = next(f"{n:07d}" for n in range(1_000_000, 2_000_000) if _remainder(f"{n:07d}") == 1)
    for check in range(10):
        assert not is_valid_business_id(f"{digits}-{check}")


@settings(database=None, max_examples=200)
@given(number=st.integers(min_value=0, max_value=9_999_999))
def test_exactly_one_check_digit_fits_unless_remainder_is_one(number):
    digits = f"{number:07d}"
    valid = [check for check in range(10) if is_valid_business_id(f"{digits}-{check}")]
    r = _remainder(digits)
    if r == 1:
        assert valid == []
    else:
        assert valid == [0 if r == 0 else 11 - r]


def test_temporary_identity_codes_are_valid_and_recognised():
    from hbapp.domain.identifiers import is_temporary_identity_code

    temporary = "010101A900" + CONTROL_CHARS[10101900 % 31]
    assert validate_personal_identity_code(temporary) == temporary
    assert is_temporary_identity_code(temporary)
    assert not is_temporary_identity_code("131052-308T")
