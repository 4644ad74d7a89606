"""The message catalogs: complete in both languages, and every key used exists."""

import datetime as dt
import re
from decimal import Decimal as D
from pathlib import Path

import pytest

from builder.i18n import LANGS, load_catalog

REPO = Path(__file__).resolve().parents[1]
TEMPLATES = REPO / "site_templates"


def catalogs():
    return {lang: load_catalog(TEMPLATES, lang) for lang in LANGS}


def test_both_catalogs_have_exactly_the_same_keys():
    c = catalogs()
    zh, en = set(c["zh-CN"].messages), set(c["en"].messages)
    assert not zh - en, f"missing in en: {sorted(zh - en)}"
    assert not en - zh, f"missing in zh-CN: {sorted(en - zh)}"


def test_placeholders_match_between_languages():
    c = catalogs()
    for key, zh in c["zh-CN"].messages.items():
        en = c["en"].messages[key]
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), key


def test_every_literal_key_in_templates_and_code_exists():
    text = "".join(p.read_text(encoding="utf-8") for p in TEMPLATES.rglob("*.html"))
    text += "".join(p.read_text(encoding="utf-8") for p in (REPO / "builder").rglob("*.py"))
    used = set(re.findall(r"[^a-z]t\('([a-z_]+\.[a-z_.0-9]+)'", text)) | set(re.findall(r"t\.t\(\"([a-z_.0-9]+)\"", text))
    used |= set(re.findall(r"\"(rule\.[a-z_]+)\"", text))
    keys = set(catalogs()["zh-CN"].messages)
    assert used and not used - keys, sorted(used - keys)


def test_every_vocabulary_value_has_a_label():
    from builder import vocab as V
    keys = set(catalogs()["en"].messages)
    for prefix, values in (("stage", V.STAGE_DATE_KEYS), ("level", V.REGION_LEVELS),
                           ("listlevel", V.LIST_LEVELS), ("build", V.BUILD_TYPES),
                           ("batch", V.BATCHES), ("flag", V.FLAG_COLORS), ("category", V.CATEGORIES)):
        for v in values:
            assert f"{prefix}.{v}" in keys


@pytest.mark.parametrize("lang,money,date", [
    ("zh-CN", ("1546.18", "亿元"), "2023年3月31日"),
    ("en", ("154.618", "bn yuan"), "31 Mar 2023"),
])
def test_numbers_keep_their_printed_digits(lang, money, date):
    t = catalogs()[lang]
    assert t.money(D("1546.18"), "亿元") == money
    assert t.date(dt.date(2023, 3, 31)) == date
    assert t.number(D("8.0")) == "8.0"
    assert t.number(D("1546.18")) == ("1,546.18" if lang == "en" else "1546.18")


def test_periods():
    zh, en = catalogs()["zh-CN"], catalogs()["en"]
    assert zh.period("2021-01/04") == "2021年1–4月"
    assert zh.period("2023-Q1") == "2023年一季度"
    assert en.period("2023-H1") == "H1 2023"
    assert zh.period("2023-03") == "2023年3月"


def test_keys_pages_build_from_vocabulary_exist_in_both_languages():
    """Keys made at run time (f"chart.{kind}.title"): none may be missing in either catalog."""
    from builder import vocab as V
    from builder.charts import LABELS
    from builder.present import UNIT_KINDS

    keys = set()
    for kind, labels in LABELS.items():
        keys |= {f"chart.{kind}.title", f"chart.{kind}.description"}
        keys |= {f"chart.{kind}.label.{k}" for k in labels}
    keys |= {f"unit.{k}" for k in UNIT_KINDS if k not in ("money", "plain")}
    keys |= {f"bound.{b}" for b in ("approx", "lower", "upper")}
    keys |= {f"kind.{k}" for k in ("target", "projection")}
    keys |= {f"period.{p}" for p in ("year", "months", "q1", "q2", "q3", "q4", "h1", "h2")}
    keys |= {f"batch.advanced.{b}" for b in V.BATCHES} | {f"rate.{r}" for r in V.BATCH_RATES.values()}
    keys |= {f"stage.{s}" for s in V.STAGES}
    for lang, catalog in catalogs().items():
        missing = sorted(k for k in keys if not catalog.has(k))
        assert missing == [], f"missing in {lang}: {missing}"


def test_the_english_catalog_has_no_chinese_words_or_marks():
    han = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
    chinese = {k: v for k, v in catalogs()["en"].messages.items() if han.search(v)}
    assert chinese == {}
