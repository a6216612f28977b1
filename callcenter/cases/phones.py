"""Phone numbers of applicants: validated and put in the form the trunk dials.

Mainland China only: mobiles (``13800138000``) and landlines with their area code
(``0398-5831315`` → ``03985831315``). A landline without its area code cannot be dialled
from another city's trunk, so it is refused rather than guessed.
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

_DIALLABLE = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "landline",
}


class PhoneError(ValueError):
    """Why a number cannot be called, in Chinese for the import report."""


def normalise(raw: object) -> str:
    """The digits the trunk dials for ``raw`` (as typed, or a number from a spreadsheet)."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # a spreadsheet cell holding the number as a number
    text = str(raw).strip() if raw is not None else ""
    if not text:
        raise PhoneError("电话为空")
    if len(text) == 11 and text.isdigit() and text[0] == "1":
        # the usual case, a mobile written plainly: skip the full parse
        if not _mobile_prefix_ok(text[:7]):
            raise PhoneError(f"电话 {text!r} 不是有效的手机或固定电话号码")
        return text
    try:
        number = phonenumbers.parse(text, "CN")
    except NumberParseException:
        raise PhoneError(f"电话 {text!r} 不是电话号码") from None
    if number.country_code != 86:
        raise PhoneError(f"电话 {text!r} 不是中国大陆号码")
    kind = phonenumbers.number_type(number)  # UNKNOWN when no pattern of CN matches
    if kind is PhoneNumberType.UNKNOWN:
        national = str(number.national_number)
        if len(national) in (7, 8) and not national.startswith("1"):
            raise PhoneError(f"电话 {text!r} 缺少区号")
        raise PhoneError(f"电话 {text!r} 不是有效的手机或固定电话号码")
    if kind not in _DIALLABLE:
        raise PhoneError(f"电话 {text!r} 不是手机或固定电话")
    national_form = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return "".join(ch for ch in national_form if ch.isdigit())


@lru_cache(maxsize=65536)  # China has some 50,000 allocated prefixes
def _mobile_prefix_ok(prefix: str) -> bool:
    """Whether mobiles starting with these 7 digits are valid.

    In China's numbering plan a mobile's first seven digits (号段 and H码) decide whether
    it is allocated, so one check per prefix serves every number under it.
    """
    number = phonenumbers.parse(prefix + "0000", "CN")
    return phonenumbers.number_type(number) in (
        PhoneNumberType.MOBILE,
        PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
