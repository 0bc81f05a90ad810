"""Default configuration. Override with ``SCOUT_*`` environment variables or a test mapping."""

from datetime import timedelta

# Database: SCOUT_DATABASE_URL is the documented name; it is copied to SQLALCHEMY_DATABASE_URI.
DATABASE_URL: str | None = None
# pool_pre_ping: a connection broken by a database restart is replaced, not handed out.
# hide_parameters: SQL errors never carry bound values (a search origin) into the logs.
SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
SECRET_KEY: str | None = None
# The people the programme serves (issue 14). PEOPLE_KEY (SCOUT_PEOPLE_KEY): comma-separated
# Fernet keys, the first encrypts her home, all decrypt (rotation: docs/people.md); `make run`
# keeps one in instance/people_key. Without it no home can be stored or read.
PEOPLE_KEY: str | None = None
# Which people a tutor sees: "hub" (everyone of her hub) or "own" (those she follows).
# Coordinators see everyone.
PEOPLE_SCOPE = "hub"
# A closed record is anonymised this many months after closing (`flask people purge`).
PEOPLE_RETENTION_MONTHS = 24

# Languages: Italian first. Public pages and printed sheets also in ar, es, fr.
LANGUAGES = ["it", "en", "ar", "es", "fr"]
STAFF_LANGUAGES = ["it", "en"]
RTL_LANGUAGES = ["ar"]
BABEL_DEFAULT_LOCALE = "it"
BABEL_DEFAULT_TIMEZONE = "Europe/Rome"

# Service area: municipi served, and the buffer around them in metres.
SERVICE_MUNICIPI = [2, 3]
SERVICE_BUFFER_M = 1500
KM_ZERO_MINUTES = 15
# Scouts: GPS accuracy (metres) beyond which the position must be confirmed or the pin dragged.
GPS_ACCURACY_MAX_M = 50
# Bulletin: an offer is km zero within KM_ZERO_MINUTES' walk of a programme hub. The municipio
# rule is off unless configured: list municipi here (e.g. [2, 3]) and every offer inside them
# counts as km zero too, however far it is from a hub.
KM_ZERO_MUNICIPI: list[int] = []
# Bulletin by e-mail. SMTP_URL unset: sending is off (and the pages say so). Schemes:
# smtp://[user:password@]host[:25] (plain), smtp+starttls://...:587, smtps://...:465.
SMTP_URL: str | None = None
MAIL_FROM = "Bollettino Lavoro a km zero <bollettino@localhost>"
# Where the links in mails point (e.g. https://scout.example.org); unset: the address the
# publishing or subscribing request came to.
PUBLIC_URL: str | None = None
MAIL_TIMEOUT_S = 20  # SMTP connect/command timeout
MAIL_BATCH = 200  # messages the app sends right after publishing (the rest: `flask bulletin send`)
MAIL_RETRY_BASE_S = 60  # first retry after a minute, then doubling ...
MAIL_RETRY_MAX_S = 6 * 3600  # ... up to six hours between tries
MAIL_MAX_ATTEMPTS = 10  # then the message is marked failed (the coordinator can retry it)
SUBSCRIBE_RATE_LIMIT = "5 per minute"
# Straight-line fallback when no walking network is imported.
DETOUR_FACTOR = 1.3
# Walking speeds of the profiles, km/h (the stroller also avoids steps).
WALKING_SPEED_KMH = {"standard": 4.5, "stroller": 3.6}
# Scouts: how far (walking minutes) "near me" and "to visit near me" reach.
NEARBY_MINUTES = 30
# Freshness: days after a person last verified a record (a coordinator publishing it, a
# scout's visit "still valid") when it is due to be re-verified. An offer is due at its
# expiry date if that comes first (and closes by itself once past it).
PLACE_VERIFY_DAYS = 180
RESOURCE_VERIFY_DAYS = 90
OFFER_VERIFY_DAYS = 60
# Days after which a place nobody re-verified leaves the public map (None: never).
PLACE_UNPUBLISH_DAYS: int | None = None

# Map tiles. Every map draws the app's own basemap (vector tiles from its database, /tiles/...):
# no other server is asked for anything. An external raster tile server may replace it per
# audience (tile requests around a person's home tell that server where she lives):
# public map and embed: {"url": "https://.../{z}/{x}/{y}.png", "attribution": "..."};
PUBLIC_TILES: dict[str, str] | bool = False
# tutors' search: a URL template (attribution in TUTOR_TILE_ATTRIBUTION);
TUTOR_TILE_URL: str | None = None
TUTOR_TILE_ATTRIBUTION = "© OpenStreetMap"
# scouts' tablet maps: a URL template.
TILE_URL: str | None = None
# The scouts' tablets keep the service area's basemap tiles (zooms 12-16) for use offline.
BASEMAP_OFFLINE = True
# The basemap tiles each app process keeps in memory (scout/basemap/tiles.py), in MB.
BASEMAP_TILE_CACHE_MB = 64

# PostgreSQL client tools for backup/restore (default: the server's major version under
# /usr/lib/postgresql/<major>/bin).
PG_BIN_DIR: str | None = None

# Sessions and cookies.
PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = True
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SECURE = True
WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

# Static files are sent compressed (scout/assets.py): these types, from this size in bytes.
COMPRESS_MIMETYPES = [
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "image/svg+xml",
]
COMPRESS_MIN_SIZE = 500
COMPRESS_REGISTER = False

# The walking graph's arrays, written at import and memory-mapped by every app process (one
# copy per machine, however many workers); default instance/walkgraph.
WALK_GRAPH_FOLDER: str | None = None
# Uploaded photos are stored here (outside the database); default instance/uploads.
UPLOAD_FOLDER: str | None = None
# Request bodies, in bytes: routes that take files (photos, imports, OSM extracts; the list is
# scout/security.py's UPLOAD_ENDPOINTS) up to MAX_CONTENT_LENGTH, JSON bodies (the API,
# /walk) up to JSON_MAX_BYTES, any other form up to FORM_MAX_BYTES; more is refused (413).
MAX_CONTENT_LENGTH = 50 * 1024 * 1024
JSON_MAX_BYTES = 8 * 1024
FORM_MAX_BYTES = 256 * 1024

# Behind a reverse proxy: how many proxies in front of the app set X-Forwarded-For, -Proto
# and -Host (1 for the nginx or Caddy of README's Production section). 0: the headers are
# ignored, as anyone can send them.
PROXY_COUNT = 0
# Host names the app answers to (Flask checks the Host header, or the proxy's
# X-Forwarded-Host, against them; others get 400), so a forged Host cannot rewrite the links
# and ids the app writes (Atom feed, OGC API). ".example.org" also accepts subdomains.
# Default: this machine, as `make run` serves it; set SCOUT_TRUSTED_HOSTS in production.
TRUSTED_HOSTS = ["localhost", "127.0.0.1"]

# Rate limits (Flask-Limiter), counted where every worker and machine sees the same numbers:
# by default in the app's own database (scout/ratelimit.py); "redis://host:6379" for Redis
# (with the redis package), "memory://" for one process only.
RATELIMIT_STORAGE_URI: str | None = None
RATELIMIT_HEADERS_ENABLED = True
# Failed logins only (a successful one costs nothing): per account from one client, and per
# client over all accounts. Clients are told apart by address (behind a proxy: PROXY_COUNT),
# so one client's wrong passwords never lock the account for anyone else.
LOGIN_RATE_LIMIT = "10 per minute"
LOGIN_CLIENT_RATE_LIMIT = "30 per minute"

# Logs: JSON lines on stderr without personal data (scout/logs.py).
LOG_JSON = True
LOG_LEVEL = "INFO"
