import pytest

from callcenter.telephony.prompts._normalize import cardinal, normalize


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("2026年11月24日", "二零二六年十一月二十四日"),
        ("您于2026年1月5号办理", "您于二零二六年一月五号办理"),
        ("您于2026-11-24在城关所办理", "您于二零二六年十一月二十四日在城关所办理"),
        ("2026/3/1", "二零二六年三月一日"),
        ("2026年度", "二零二六年度"),
        ("11月24日", "十一月二十四日"),
    ],
)
def test_dates(text: str, spoken: str) -> None:
    assert normalize(text) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("0398-5831315", "零三九八，五八三幺三幺五"),
        ("如有疑问请拨打0398-5831315。", "如有疑问请拨打零三九八，五八三幺三幺五。"),
        ("03985831315", "零三九八，五八三幺三幺五"),
        ("01012345678", "零幺零，幺二三四五六七八"),
        ("13812345678", "幺三八，幺二三四，五六七八"),
        ("0398 5831315", "零三九八，五八三幺三幺五"),
        ("０３９８－５８３１３１５", "零三九八，五八三幺三幺五"),
        ("投诉请拨打12315", "投诉请拨打幺二三幺五"),
        ("编号A123", "编号A幺二三"),
    ],
)
def test_phone_numbers_and_codes_are_read_digit_by_digit(text: str, spoken: str) -> None:
    # 1 as 幺, the way numbers are read on the telephone; keypad keys stay 一 (请按一)
    assert normalize(text) == spoken


def test_years_and_keys_keep_yi() -> None:
    assert normalize("2011年1月1日，是请按1") == "二零一一年一月一日，是请按一"


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("请按1", "请按一"),
        ("请按3", "请按三"),
        ("满意请按1，不满意请按2。", "满意请按一，不满意请按二。"),
        ("请 按 1", "请按一"),
        ("3号窗口", "三号窗口"),
        ("15000元", "一万五千元"),
        ("2个工作日", "两个工作日"),
        ("第2个问题", "第二个问题"),
        ("1-3个工作日", "一至三个工作日"),
        ("满意率95%", "满意率百分之九十五"),
        ("99.5%", "百分之九十九点五"),
        ("3.5", "三点五"),
        ("9:30", "九点三十分"),
        ("9:05", "九点零五分"),
        ("8:00", "八点"),
        ("8:30-17:30", "八点三十分至十七点三十分"),
    ],
)
def test_other_numbers(text: str, spoken: str) -> None:
    assert normalize(text) == spoken


@pytest.mark.parametrize(
    ("n", "spoken"),
    [
        (0, "零"),
        (10, "十"),
        (15, "十五"),
        (101, "一百零一"),
        (110, "一百一十"),
        (1005, "一千零五"),
        (1050, "一千零五十"),
        (10010, "一万零一十"),
        (100000, "十万"),
        (10005000, "一千万五千"),
        (100000005, "一亿零五"),
        (100050000, "一亿零五万"),
        (123456789, "一亿二千三百四十五万六千七百八十九"),
    ],
)
def test_cardinal(n: int, spoken: str) -> None:
    assert cardinal(n) == spoken


def test_normalising_twice_changes_nothing() -> None:
    text = "您好，您于2026年11月24日办理的事项，满意请按1，咨询请拨打0398-5831315。"
    once = normalize(text)
    assert normalize(once) == once
    assert not any(c.isdigit() for c in once)
