import datetime

import pytest
from django.core.exceptions import ValidationError

from organizations.validators import (
    id_number_birth_date,
    id_number_check_code,
    mask_id_number,
    mask_phone,
    validate_id_number,
    validate_phone,
)


def test_known_valid_id_number_passes():
    # The example from GB 11643-1999.
    validate_id_number("11010519491231002X")
    assert id_number_birth_date("11010519491231002X") == datetime.date(1949, 12, 31)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("110105194912310021", "校验位"),
        ("11010519491231002", "18位"),
        ("1101051949123100AX", "18位"),
        ("110105194913310028", "出生日期"),
        ("110105290012310021", "出生日期"),
    ],
)
def test_bad_id_numbers_are_refused_with_a_reason(value, reason):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(value)
    assert reason in exc.value.messages[0]


@pytest.mark.time_machine(datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC))
def test_a_child_born_today_in_shanghai_has_a_valid_birth_date():
    # 23:30 UTC is already 1 January 2027 in Shanghai. The travel also sets the process's local time zone to UTC,
    # as on a server where nothing set it: the check must still use the site's date, not the machine's.
    first17 = "11010520270101001"
    validate_id_number(first17 + id_number_check_code(first17))
    later17 = "11010520270102001"
    with pytest.raises(ValidationError) as exc:
        validate_id_number(later17 + id_number_check_code(later17))
    assert "出生日期" in exc.value.messages[0]


def test_check_code_computation():
    assert id_number_check_code("11010519491231002") == "X"
    assert id_number_check_code("44052418800101001") == "4"


def test_lowercase_x_is_accepted():
    validate_id_number("11010519491231002x")


@pytest.mark.parametrize("value", ["13812345678", "0730-5212345", "010-12345678", "5212345"])
def test_valid_phones(value):
    validate_phone(value)


@pytest.mark.parametrize("value", ["12345", "1381234567a", "phone"])
def test_invalid_phones(value):
    with pytest.raises(ValidationError):
        validate_phone(value)


def test_masks():
    assert mask_id_number("110105194912311234") == "1101**********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0730-5212345") == "********2345"
    assert mask_id_number("") == ""
