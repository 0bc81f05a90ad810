"""The translation catalogues: complete, compilable, placeholders kept, and used by the app.

UI strings are English msgids. Italian (the default locale), Arabic, Spanish and French must
translate every one of them; English falls back to the msgid. A string added to the code but
not yet translated fails here: run ``make messages``, translate, commit the catalogues.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from markupsafe import escape

from scout.i18n import FSI, LRI, PDI, isolate, ltr
from scout.models import Role
from scout.paths import ROOT

TRANSLATIONS = ROOT / "translations"
TRANSLATED = ["it", "ar", "es", "fr"]  # every msgid needs a msgstr
ALL = ["it", "en", "ar", "es", "fr"]  # every catalogue must compile
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "lazy_pgettext": ((1, "c"), 2),
}  # as in `make messages`

# %(name)s / %(count)d, str.format fields {n} / {0}, and HTML tags.
PLACEHOLDER = re.compile(
    r"%\([A-Za-z_][A-Za-z0-9_]*\)[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]|%%"
    r"|\{[A-Za-z_0-9]*(?:![rsa])?(?::[^{}]*)?\}"
    r"|</?[A-Za-z][^<>]*>"
)


def _po_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def _read(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=lang)


def _key(message: Message) -> str:
    return message.id[0] if isinstance(message.id, tuple | list) else message.id


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def _source_msgids() -> set[str]:
    """The msgids in the code now (as `make messages` extracts them), so a string added
    without re-running the extraction also counts."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    return {
        msgid[0] if isinstance(msgid, tuple | list) else msgid
        for _file, _line, msgid, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS
        )
        if msgid
    }


@pytest.fixture(scope="module")
def template() -> Catalog:
    return _read(TRANSLATIONS / "messages.pot")


@pytest.fixture(scope="module")
def expected_ids(template: Catalog) -> set[str]:
    return {_key(m) for m in template if m.id} | _source_msgids()


@pytest.fixture(scope="module")
def catalogues() -> dict[str, Catalog]:
    return {lang: _read(_po_path(lang), lang) for lang in ALL}


# --- (a) complete and compilable ------------------------------------------------------------


def test_babel_cfg_covers_every_template_kind():
    cfg = (ROOT / "babel.cfg").read_text()
    suffixes = {p.suffix for p in (ROOT / "templates").rglob("*") if p.is_file()}
    for suffix in suffixes:
        assert f"templates/**{suffix}]" in cfg, f"babel.cfg does not extract templates/*{suffix}"


@pytest.mark.parametrize("lang", ALL)
def test_catalogue_compiles_without_errors(catalogues, lang):
    catalog = catalogues[lang]
    errors = [
        f"{_key(message)!r}: {'; '.join(str(e) for e in errs)}" for message, errs in catalog.check()
    ]
    assert not errors, f"{lang}: {len(errors)} catalogue errors:\n" + "\n".join(errors)
    out = io.BytesIO()
    write_mo(out, catalog)
    assert out.getvalue()


def test_template_is_up_to_date(template):
    missing = sorted(_source_msgids() - {_key(m) for m in template if m.id})
    assert not missing, (
        f"{len(missing)} strings in the code are not in messages.pot (run `make messages`):\n"
        + "\n".join(map(repr, missing))
    )


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_string_is_translated(catalogues, expected_ids, lang):
    catalog = catalogues[lang]
    done = set()
    fuzzy = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        if message.fuzzy:
            fuzzy.append(_key(message))
        elif strings and all(s and s.strip() for s in strings):
            done.add(_key(message))
    missing = sorted(expected_ids - done)
    assert not fuzzy, f"{lang}: {len(fuzzy)} fuzzy entries:\n" + "\n".join(map(repr, fuzzy))
    assert not missing, (
        f"{lang}: {len(missing)} untranslated strings (run `make messages` and translate "
        f"translations/{lang}/LC_MESSAGES/messages.po):\n" + "\n".join(map(repr, missing))
    )


def test_arabic_has_six_plural_forms(catalogues):
    assert catalogues["ar"].num_plurals == 6


# --- (b) placeholders ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", ALL)
def test_placeholders_match(catalogues, lang):
    wrong = []
    for message in catalogues[lang]:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            allowed = set(_placeholders(message.id[0]) + _placeholders(message.id[1]))
            # A form may leave out the count (Arabic "zero", "one", "two"), never add one;
            # the last form (the general plural) keeps exactly the msgid_plural's.
            forms = list(message.string)
            for form in forms:
                if form and not set(_placeholders(form)) <= allowed:
                    wrong.append((message.id, form))
            if forms[-1] and _placeholders(forms[-1]) != _placeholders(message.id[1]):
                wrong.append((message.id, forms[-1]))
        elif message.string and _placeholders(message.string) != _placeholders(message.id):
            wrong.append((message.id, message.string))
    assert not wrong, f"{lang}: placeholders differ:\n" + "\n".join(
        f"{mid!r} -> {s!r}" for mid, s in wrong
    )


def test_no_stray_percent_signs(catalogues):
    """Jinja formats every template string with ``%``: a lone % in a msgstr breaks the page."""
    lone = re.compile(r"%(?!\(|%)")
    bad = [
        (lang, _key(m), s)
        for lang, catalog in catalogues.items()
        for m in catalog
        if m.id
        for s in (m.string if isinstance(m.string, tuple | list) else [m.string])
        if s and lone.search(s) and not lone.search(_key(m))
    ]
    assert not bad, "\n".join(map(repr, bad))


# --- (c) the app speaks them --------------------------------------------------------------


def _compile_stale_catalogues() -> None:
    """`make` compiles the catalogues; do it here too when a .mo is missing or older."""
    for lang in ALL:
        po = _po_path(lang)
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with mo.open("wb") as f:
                write_mo(f, _read(po, lang))


@pytest.fixture
def compiled(app) -> None:
    _compile_stale_catalogues()
    app.extensions["babel"].instance.domain_instance.cache.clear()


def _tr(catalogues: dict[str, Catalog], lang: str, msgid: str) -> str:
    message = catalogues[lang].get(msgid)
    assert message is not None, f"{msgid!r} is not in the {lang} catalogue"
    assert message.string, f"{msgid!r} is not translated in {lang}"
    return message.string


PUBLIC_HEADING = "Partners of the network in Municipio 2 and 3"  # public/index.html <h1>
STAFF_HEADING = "Kept on this tablet"  # scout/index.html


def test_public_map_is_italian_by_default(client, compiled, catalogues):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="it" dir="ltr">' in html
    italian = _tr(catalogues, "it", PUBLIC_HEADING)
    assert italian != PUBLIC_HEADING
    assert str(escape(italian)) in html
    assert PUBLIC_HEADING not in html
    assert str(escape(_tr(catalogues, "it", "How far on foot from me?"))) in html


def test_public_map_in_arabic_is_right_to_left(client, compiled, catalogues):
    html = client.get("/?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    assert "bootstrap.rtl.min.css" in html
    assert str(escape(_tr(catalogues, "ar", PUBLIC_HEADING))) in html
    assert "الخريطة" in html  # a spot check that is Arabic script, not a fallback
    assert PUBLIC_HEADING not in html


@pytest.mark.parametrize("lang", ["es", "fr"])
def test_public_map_in_spanish_and_french(client, compiled, catalogues, lang):
    html = client.get(f"/?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}" dir="ltr">' in html
    assert str(escape(_tr(catalogues, lang, PUBLIC_HEADING))) in html


def test_staff_page_is_italian_by_default_and_english_on_request(
    client, compiled, catalogues, login, make_user
):
    login(make_user(Role.SCOUT))
    html = client.get("/scout/").get_data(as_text=True)
    assert '<html lang="it"' in html
    assert str(escape(_tr(catalogues, "it", STAFF_HEADING))) in html
    assert STAFF_HEADING not in html
    assert str(escape(_tr(catalogues, "it", "Log out"))) in html  # the staff chrome, too

    html = client.get("/scout/?lang=en").get_data(as_text=True)
    assert '<html lang="en"' in html
    assert STAFF_HEADING in html
    assert str(escape(_tr(catalogues, "it", STAFF_HEADING))) not in html


def test_staff_pages_do_not_offer_arabic(client, compiled, catalogues, login, make_user):
    login(make_user(Role.SCOUT))
    html = client.get("/scout/?lang=ar").get_data(as_text=True)
    assert '<html lang="it" dir="ltr">' in html


def test_isolated_text_is_escaped_once():
    """A street name typed with markup shows as typed; text already made safe (a link built by
    a template) is isolated as it is, not shown as its own tags."""
    from markupsafe import Markup

    from scout.i18n import isolate, ltr

    assert "&lt;b&gt;Via Padova&lt;/b&gt;" in isolate("<b>Via Padova</b>")
    assert "&amp;lt;" not in isolate("<b>Via Padova</b>")
    assert '<a href="/p/1">Via Padova</a>' in isolate(Markup('<a href="/p/1">Via Padova</a>'))
    assert "<b>02 1234</b>" in ltr(Markup("<b>02 1234</b>"))
    assert "12" in ltr(12)


def test_isolated_text_is_escaped():
    """``ltr`` and ``isolate`` wrap user text in markup of their own: the text stays text."""
    assert str(ltr('<b>02 1234</b> & "x"')) == (
        f'<span dir="ltr">{LRI}&lt;b&gt;02 1234&lt;/b&gt; &amp; &#34;x&#34;{PDI}</span>'
    )
    assert (
        str(isolate("<i>Via Padova</i>")) == f"<bdi>{FSI}&lt;i&gt;Via Padova&lt;/i&gt;{PDI}</bdi>"
    )
    assert str(isolate(None)) == str(ltr("")) == ""
