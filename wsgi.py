"""WSGI entry point for production servers: ``gunicorn -w 4 -b 127.0.0.1:8000 wsgi:app``.

Configuration comes from ``SCOUT_*`` environment variables (see README, "Production").
"""

from scout import create_app

app = create_app()
