"""Tests for consolidate.numbers: Vietnamese cell reading and report formatting."""

import datetime
import unicodedata
from decimal import Decimal

import pytest

from consolidate.core.numbers import (
    ParseError,
    format_count,
    format_date_long,
    format_date_short,
    format_money,
    format_number,
    format_percent,
    money_in_words,
    parse_date,
    parse_decimal,
    parse_whole,
    parse_yes_no,
)


def has_vietnamese_diacritics(text: str) -> bool:
    """True when text carries a Vietnamese letter outside plain ASCII (ư, ố, đ, ...)."""
    return any(not ch.isascii() and unicodedata.category(ch).startswith("L") for ch in text)


def parse_error_for(func, value, **kwargs) -> ParseError:
    with pytest.raises(ParseError) as info:
        func(value, **kwargs)
    return info.value


# ----------------------------------------------------------------- parse_whole


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("700 trẻ", 700),
        ("15 trẻ", 15),
        ("1.224 người", 1224),
        ("02 vụ", 2),
        ("3 trẻ em", 3),
        ("12 học sinh", 12),
        ("4 công trình", 4),
        ("6 hoạt động", 6),
        ("1 xã", 1),
        ("250 suất", 250),
    ],
)
def test_text_with_unit_word_reads_as_count(text, expected):
    assert parse_whole(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4.930.000đ", 4_930_000),
        ("2.500.000Đ", 2_500_000),
        ("4.000.000đ", 4_000_000),
        ("121.450.000 đồng", 121_450_000),
        ("5.000.000 VNĐ", 5_000_000),
        ("5.000.000vnđ", 5_000_000),
        ("5.000.000 VND", 5_000_000),
    ],
)
def test_money_with_currency_suffix_reads_as_dong(text, expected):
    assert parse_whole(text) == expected


def test_unit_word_is_case_insensitive():
    assert parse_whole("700 TRẺ") == 700
    assert parse_whole("1.224 Người") == 1224


@pytest.mark.parametrize(
    ("text", "expected"),
    [("9.367", 9367), ("4.930.000", 4_930_000), ("1.000", 1000), ("4 930 000", 4_930_000)],
)
def test_dot_or_space_groups_thousands(text, expected):
    assert parse_whole(text) == expected


def test_non_breaking_spaces_from_excel_are_ignored():
    assert parse_whole("\u00a04\u00a0930\u00a0000\u00a0") == 4_930_000
    assert parse_whole(" 700\u202ftrẻ ") == 700


def test_leading_zero_count_reads_as_number():
    assert parse_whole("02") == 2
    assert parse_whole("09") == 9


@pytest.mark.parametrize("text", ["-", "–", "—", "Không", "không", "KHÔNG", "không có", "0"])
def test_none_markers_read_as_zero(text):
    assert parse_whole(text) == 0


def test_decomposed_diacritics_are_normalised():
    decomposed = unicodedata.normalize("NFD", "Không")
    assert decomposed != "Không"
    assert parse_whole(decomposed) == 0
    assert parse_whole(unicodedata.normalize("NFD", "700 trẻ")) == 700


@pytest.mark.parametrize("value", [None, "", "   ", "\u00a0", float("nan")])
def test_empty_cell_is_none_not_zero(value):
    assert parse_whole(value) is None


def test_int_and_integral_float_from_sheet_are_accepted():
    assert parse_whole(700) == 700
    assert parse_whole(700.0) == 700
    assert isinstance(parse_whole(700.0), int)
    assert parse_whole(Decimal("4930000")) == 4_930_000


def test_fractional_float_is_rejected_as_not_whole():
    error = parse_error_for(parse_whole, 7.5)
    assert error.found == 7.5
    assert "nguyên" in error.expected


def test_bool_is_not_a_count():
    parse_error_for(parse_whole, True)
    parse_error_for(parse_whole, False)


@pytest.mark.parametrize("value", [-5, "-5", "-1.000"])
def test_negative_is_rejected(value):
    assert parse_error_for(parse_whole, value).expected == "một số không âm"


def test_above_max_value_is_rejected_as_too_large():
    assert parse_whole(10**12) == 10**12
    error = parse_error_for(parse_whole, 10**12 + 1)
    assert "số quá lớn" in error.expected
    assert "số quá lớn" in parse_error_for(parse_whole, "1.001", max_value=1000).expected
    assert parse_whole("1.000", max_value=1000) == 1000


def test_comma_is_decimal_so_count_is_rejected():
    error = parse_error_for(parse_whole, "9,367")
    assert error.found == "9,367"
    assert "thập phân" in error.expected


@pytest.mark.parametrize(
    "text",
    [
        "12.5",
        "9.36",
        "700.0",
        "0.500",
        "1.000.000,50",
        "1.000 000",
        "khoảng 700",
        "700-800",
        "7OO",
        "1e5",
        "=SUM(A1)",
        "#REF!",
        "abc",
        "700 con",
        "--",
    ],
)
def test_ambiguous_or_non_numeric_text_is_rejected_not_zero(text):
    error = parse_error_for(parse_whole, text)
    assert error.found == text


def test_parse_error_keeps_original_value_untrimmed():
    raw = "  khoảng 700\u00a0"
    assert parse_error_for(parse_whole, raw).found == raw


def test_unsupported_cell_type_is_rejected():
    parse_error_for(parse_whole, datetime.date(2024, 7, 3))


# ---------------------------------------------------------------- ParseError


@pytest.mark.parametrize(
    ("func", "value"),
    [
        (parse_whole, "abc"),
        (parse_whole, "9,367"),
        (parse_whole, -1),
        (parse_whole, 10**13),
        (parse_decimal, "12.5"),
        (parse_yes_no, "có lẽ"),
        (parse_date, "31/02/2024"),
    ],
)
def test_parse_error_expected_is_vietnamese(func, value):
    error = parse_error_for(func, value)
    assert has_vietnamese_diacritics(error.expected)
    assert has_vietnamese_diacritics(str(error))


def test_parse_error_is_a_value_error_with_found_and_expected():
    error = ParseError("7OO", "một số nguyên không âm")
    assert isinstance(error, ValueError)
    assert error.found == "7OO"
    assert error.expected == "một số nguyên không âm"
    assert "7OO" in str(error)


def test_default_whole_expectation_gives_examples():
    expected = parse_error_for(parse_whole, "abc").expected
    assert expected == "một số nguyên không âm, ví dụ 700 hoặc 4.930.000"


# --------------------------------------------------------------- parse_decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19,66%", 19.66),
        ("19,66 %", 19.66),
        ("19,66", 19.66),
        ("0,9", 0.9),
        ("1,25‰", 1.25),
        ("9.367", 9367.0),
        ("1.224,5", 1224.5),
        ("100%", 100.0),
        ("7", 7.0),
    ],
)
def test_comma_is_the_decimal_mark(text, expected):
    assert parse_decimal(text) == pytest.approx(expected)


def test_number_from_sheet_is_returned_as_float():
    assert parse_decimal(11.8) == 11.8
    assert parse_decimal(12) == 12.0
    assert isinstance(parse_decimal(12), float)


@pytest.mark.parametrize("text", ["-", "Không", "không"])
def test_none_markers_read_as_zero_rate(text):
    assert parse_decimal(text) == 0.0


@pytest.mark.parametrize("value", [None, "", "  ", float("nan")])
def test_empty_rate_cell_is_none(value):
    assert parse_decimal(value) is None


@pytest.mark.parametrize("text", ["12.5", "0.9", "9.36", "abc", "19,66,1", "khoảng 20%", "20%%"])
def test_dot_decimal_and_text_rates_are_rejected(text):
    assert parse_error_for(parse_decimal, text).found == text


def test_bool_and_infinity_are_not_rates():
    parse_error_for(parse_decimal, True)
    parse_error_for(parse_decimal, float("inf"))


# ---------------------------------------------------------------- parse_yes_no


@pytest.mark.parametrize("value", ["Có", "có", "CÓ", "x", "X", " x ", True, 1, 1.0])
def test_yes_markers_read_as_true(value):
    assert parse_yes_no(value) is True


@pytest.mark.parametrize("value", ["Không", "không", "KHÔNG", False, 0, 0.0])
def test_no_markers_read_as_false(value):
    assert parse_yes_no(value) is False


@pytest.mark.parametrize("value", [None, "", "   "])
def test_unanswered_yes_no_is_none_not_false(value):
    assert parse_yes_no(value) is None


@pytest.mark.parametrize("value", ["có lẽ", "y", "yes", 2, "-"])
def test_other_yes_no_answers_are_rejected(value):
    assert parse_error_for(parse_yes_no, value).found == value


# ------------------------------------------------------------------ parse_date


def test_date_objects_pass_through_and_datetime_drops_time():
    assert parse_date(datetime.date(2024, 7, 3)) == datetime.date(2024, 7, 3)
    assert parse_date(datetime.datetime(2024, 7, 3, 14, 30)) == datetime.date(2024, 7, 3)


@pytest.mark.parametrize(
    "text", ["03/07/2024", "3/7/2024", "03/7/2024", "03-07-2024", "2024-07-03"]
)
def test_day_first_date_text_is_read(text):
    assert parse_date(text) == datetime.date(2024, 7, 3)


def test_day_comes_before_month():
    assert parse_date("05/02/2024") == datetime.date(2024, 2, 5)


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (45476, datetime.date(2024, 7, 3)),
        (45476.75, datetime.date(2024, 7, 3)),
        (1, datetime.date(1900, 1, 1)),
        (59, datetime.date(1900, 2, 28)),
        (61, datetime.date(1900, 3, 1)),
    ],
)
def test_excel_serial_number_is_converted(serial, expected):
    assert parse_date(serial) == expected


def test_empty_date_cell_is_none():
    assert parse_date(None) is None
    assert parse_date("  ") is None


@pytest.mark.parametrize(
    "value", ["31/02/2024", "03/07/24", "2024", "hôm qua", 0, 60, 80001, True, "13/13/2024"]
)
def test_impossible_or_ambiguous_dates_are_rejected(value):
    assert parse_error_for(parse_date, value).found == value


# ------------------------------------------------------------ number formatting


def test_format_number_groups_with_dots():
    assert format_number(9367) == "9.367"
    assert format_number(121_450_000) == "121.450.000"
    assert format_number(0) == "0"


def test_format_number_uses_comma_decimals():
    assert format_number(19.66, 2) == "19,66"
    assert format_number(1224.5, 1) == "1.224,5"
    assert format_number(19.5, 2) == "19,50"


def test_format_number_rounds_half_up_not_to_even():
    assert format_number(2.5) == "3"
    assert format_number(0.125, 2) == "0,13"
    assert format_number(2.675, 2) == "2,68"


def test_format_number_never_prints_negative_zero():
    assert format_number(-0.001, 2) == "0,00"
    assert format_number(-0.0) == "0"


def test_missing_figure_formats_as_dash():
    assert format_number(None) == "-"
    assert format_number(float("nan")) == "-"
    assert format_money(None) == "-"
    assert format_count(None) == "-"
    assert format_percent(None) == "-"


def test_format_money_appends_dong():
    assert format_money(121_450_000) == "121.450.000 đồng"
    assert format_money(2_500_000) == "2.500.000 đồng"


@pytest.mark.parametrize(
    ("value", "expected"), [(2, "02"), (9, "09"), (14, "14"), (1224, "1.224"), (700, "700")]
)
def test_small_counts_get_a_leading_zero(value, expected):
    assert format_count(value) == expected


def test_format_count_width_is_configurable():
    assert format_count(2, width=1) == "2"
    assert format_count(2, width=3) == "002"
    assert format_count(1224, width=3) == "1.224"
    with pytest.raises(ValueError):
        format_count(2, width=4)


def test_format_percent_keeps_two_decimals():
    assert format_percent(19.66) == "19,66%"
    assert format_percent(19.5) == "19,50%"
    assert format_percent(19.666, 1) == "19,7%"


def test_whole_percent_drops_zero_decimals():
    assert format_percent(100) == "100%"
    assert format_percent(50.0) == "50%"
    assert format_percent(99.999) == "100%"


# ---------------------------------------------------------------- money in words


def test_money_in_words_matches_seed():
    assert money_in_words(2_500_000) == "hai triệu năm trăm nghìn đồng"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (121_450_000, "một trăm hai mươi mốt triệu bốn trăm năm mươi nghìn đồng"),
        (4_930_000, "bốn triệu chín trăm ba mươi nghìn đồng"),
        (15, "mười lăm đồng"),
        (21, "hai mươi mốt đồng"),
        (105, "một trăm lẻ năm đồng"),
        (0, "không đồng"),
        (1_000_500, "một triệu năm trăm đồng"),
        (1_200_000_000, "một tỷ hai trăm triệu đồng"),
        (10**12, "một nghìn tỷ đồng"),
    ],
)
def test_money_in_words_reads_amounts(value, expected):
    assert money_in_words(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2014, "hai nghìn không trăm mười bốn đồng"),
        (2024, "hai nghìn không trăm hai mươi bốn đồng"),
        (1005, "một nghìn không trăm lẻ năm đồng"),
        (1_000_014, "một triệu không trăm mười bốn đồng"),
        (1_000_000_005, "một tỷ không trăm lẻ năm đồng"),
        (1_005_000_000_000, "một nghìn không trăm lẻ năm tỷ đồng"),
    ],
)
def test_inner_groups_below_one_hundred_read_khong_tram(value, expected):
    # num2words says "hai nghìn lẻ mười bốn" for 2014, which is wrong Vietnamese.
    assert money_in_words(value) == expected


def test_money_in_words_is_lowercase_and_uses_nghin():
    words = money_in_words(3_001_000)
    assert words == words.lower()
    assert "nghìn" in words
    assert "ngàn" not in words


@pytest.mark.parametrize("value", [-1, True, 2.5])
def test_money_in_words_rejects_non_amounts_in_vietnamese(value):
    with pytest.raises(ValueError) as info:
        money_in_words(value)
    assert has_vietnamese_diacritics(str(info.value))


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2024, 7, 3), "ngày 03 tháng 7 năm 2024"),
        (datetime.date(2024, 2, 5), "ngày 05 tháng 02 năm 2024"),
        (datetime.date(2024, 1, 15), "ngày 15 tháng 01 năm 2024"),
        (datetime.date(2024, 3, 1), "ngày 01 tháng 3 năm 2024"),
        (datetime.date(2024, 12, 25), "ngày 25 tháng 12 năm 2024"),
    ],
)
def test_long_date_pads_day_and_only_january_february(day, expected):
    assert format_date_long(day) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2024, 7, 3), "03/7/2024"),
        (datetime.date(2024, 2, 5), "05/02/2024"),
        (datetime.date(2024, 11, 20), "20/11/2024"),
    ],
)
def test_short_date_follows_same_padding_rule(day, expected):
    assert format_date_short(day) == expected


def test_short_date_round_trips_through_parse_date():
    day = datetime.date(2024, 2, 5)
    assert parse_date(format_date_short(day)) == day
