"""WSGI entry point (also what ``manage.py runserver`` serves).

After start-up the settings, URL conf, models and app registry live as long
as the process; ``gc.freeze()`` moves them out of the garbage collector's reach
so its full collections, triggered by busy pages that build many objects, no
longer walk them (the Python docs recommend this for long-lived servers).
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

application = get_wsgi_application()
gc.freeze()
