"""``make tour``: every page of every audience, photographed as people see it.

Loads the demo data (tests/browser/site.py: the same pages the accessibility sweep checks)
into its own database (``SCOUT_TOUR_DATABASE_URL``, re-created), serves the app on a free
local port, logs in as each role in Debian's chromium and, at phone (390×844), tablet
(820×1180) and laptop (1366×900) size, in Italian and Arabic (staff pages exist in Italian and
English only), walks each page (a tutor's search, an open place panel) and writes a full-page
screenshot to ``instance/tour/``, with ``index.html`` to look at them side by side. Pages that
scroll sideways or log a script error are flagged in the index and in the summary printed.

Usage: SCOUT_TOUR_DATABASE_URL=... python scripts/tour.py [OUTPUT_DIR]
"""

from __future__ import annotations

import html
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from scout import create_app  # noqa: E402
from scout.extensions import db  # noqa: E402
from scout.geodata import load_all  # noqa: E402
from tests.browser.fixtures import CHROMIUM, CHROMIUM_ARGS, SIZES, horizontal_overflow  # noqa: E402
from tests.browser.site import AUDIENCES, login, seed_site, set_language, visit  # noqa: E402


def serve(url: str) -> tuple[str, dict[str, int], object]:
    ensure = [sys.executable, str(ROOT / "scripts" / "ensure_db.py"), url, "--recreate"]
    subprocess.run(ensure, check=True)  # noqa: S603  (our own script, our own URL)
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "SQLALCHEMY_DATABASE_URI": None,
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
            "RATELIMIT_ENABLED": False,
            "UPLOAD_FOLDER": tempfile.mkdtemp(prefix="scout-tour-"),
        }
    )
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"), revision="heads")
        load_all(db.session, ROOT / "geodata", app.config["SERVICE_MUNICIPI"])
        ids = seed_site(db.session)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", ids, server


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "instance" / "tour"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    base, ids, server = serve(os.environ["SCOUT_TOUR_DATABASE_URL"])
    shots: list[dict] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for audience in AUDIENCES:
            for lang in audience.languages:
                for size_name, size in SIZES.items():
                    context = browser.new_context(
                        base_url=base,
                        viewport=size,
                        locale="ar" if lang == "ar" else "it-IT",
                        has_touch=size_name != "laptop",
                    )
                    context.route(
                        "**/*",
                        lambda r: r.continue_() if r.request.url.startswith(base) else r.abort(),
                    )
                    page = context.new_page()
                    page.set_default_timeout(15_000)
                    errors: list[str] = []
                    page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                    if audience.role is not None:
                        login(page, audience.role)
                    set_language(page, lang)
                    for target in audience.pages:
                        errors.clear()
                        name = f"{audience.name}-{target.name}-{lang}-{size_name}.png"
                        note = ""
                        try:
                            visit(page, target, ids)
                        except Exception as exc:  # noqa: BLE001  (the tour reports, it goes on)
                            note = f"failed: {exc}".splitlines()[0]
                        overflow = horizontal_overflow(page)
                        page.screenshot(path=str(out / name), full_page=True)
                        shots.append(
                            {
                                "audience": audience.name,
                                "page": target.name,
                                "path": target.path.format(**ids),
                                "lang": lang,
                                "size": size_name,
                                "file": name,
                                "overflow": overflow,
                                "note": "; ".join(filter(None, [note, *errors])),
                            }
                        )
                        sideways = f"sideways {overflow} px" if overflow > 0 else ""
                        print(f"{name:55} {sideways} {shots[-1]['note']}")
                    context.close()
        browser.close()
    server.shutdown()
    write_index(out, shots)
    flagged = [s for s in shots if s["overflow"] > 0 or s["note"]]
    print(f"{len(shots)} screenshots in {out}/index.html; {len(flagged)} flagged")
    return 0


STYLE = (
    "body{font-family:sans-serif} td,th{vertical-align:top;padding:4px;border:1px solid #ccc}"
    " img{width:180px;max-height:420px;object-fit:cover;object-position:top}"
    " .flag{color:#b00;font-weight:bold;max-width:180px}"
)


def write_index(out: Path, shots: list[dict]) -> None:
    rows = []
    keys = sorted(
        {(s["lang"], s["size"]) for s in shots},
        key=lambda k: (k[0] != "it", list(SIZES).index(k[1])),
    )
    pages: dict[tuple[str, str], dict] = {}
    for s in shots:
        pages.setdefault((s["audience"], s["page"]), {})[(s["lang"], s["size"])] = s
    head = "".join(f"<th>{lang} · {size}</th>" for lang, size in keys)
    for (audience, page), cells in pages.items():
        tds = []
        for key in keys:
            s = cells.get(key)
            if s is None:
                tds.append("<td>–</td>")
                continue
            flag = []
            if s["overflow"] > 0:
                flag.append(f"scrolls sideways by {s['overflow']} px")
            if s["note"]:
                flag.append(s["note"])
            mark = f'<p class="flag">{html.escape("; ".join(flag))}</p>' if flag else ""
            alt = html.escape(f"{audience} {page} {key[0]} {key[1]}")
            tds.append(
                f'<td><a href="{s["file"]}"><img src="{s["file"]}" loading="lazy" '
                f'alt="{alt}"></a>{mark}</td>'
            )
        path = next(iter(cells.values()))["path"]
        title = (
            f"{html.escape(audience)}<br>{html.escape(page)}<br><code>{html.escape(path)}</code>"
        )
        rows.append(f"<tr><th scope=row>{title}</th>{''.join(tds)}</tr>")
    (out / "index.html").write_text(
        "<!doctype html><html lang=en><meta charset=utf-8><title>scout tour</title>"
        f"<style>{STYLE}</style>"
        f"<h1>scout tour: {len(shots)} screenshots</h1>"
        f"<table><thead><tr><th>page</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>",
        encoding="utf-8",
    )


if __name__ == "__main__":
    sys.exit(main())
