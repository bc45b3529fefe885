"""Validation of Chinese resident identity numbers (GB 11643-1999) and phone numbers."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CODES = "10X98765432"
_ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
_PHONE_PATTERN = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\d{7,8})$")


def id_number_check_code(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CODES[total % 11]


def normalize_id_number(value: str) -> str:
    return (value or "").strip().upper()


def id_number_birth_date(value: str) -> datetime.date | None:
    try:
        return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except (ValueError, IndexError):
        return None


def id_number_gender(value: str) -> str:
    """'M' when the 17th digit is odd, 'F' when even (the code stored in Member.gender)."""
    return "M" if int(value[16]) % 2 else "F"


def validate_id_number(value: str) -> None:
    value = normalize_id_number(value)
    if not _ID_PATTERN.match(value):
        raise ValidationError("身份证号应为18位，前17位为数字，最后一位为数字或X。", code="id_format")
    birth = id_number_birth_date(value)
    if birth is None or not (datetime.date(1900, 1, 1) <= birth <= timezone.localdate()):
        raise ValidationError("身份证号中的出生日期无效。", code="id_birth")
    if id_number_check_code(value[:17]) != value[17]:
        raise ValidationError("身份证号校验位错误，请核对。", code="id_checksum")


def validate_phone(value: str) -> None:
    if value and not _PHONE_PATTERN.match(value.strip()):
        raise ValidationError("电话号码格式不正确，应为11位手机号或带区号的固定电话。", code="phone")


def mask_id_number(value: str) -> str:
    """1101**********1234: the first four and last four characters stay visible."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678 for a mobile number; for other numbers only the last four digits stay visible."""
    if not value:
        return ""
    if len(value) == 11 and value.isdigit():
        return value[:3] + "****" + value[-4:]
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


class ChineseMinimumLengthValidator:
    """Django's minimum length rule with its message in Chinese (the zh_Hans catalogue lacks the newer text)."""

    def __init__(self, min_length: int = 8):
        self.min_length = min_length

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(f"密码太短，至少需要 {self.min_length} 个字符。", code="password_too_short")

    def get_help_text(self):
        return f"密码至少需要 {self.min_length} 个字符。"
