"""The REST API under ``/api/v1/`` (issue #18): personal tokens, problem details, resources.

It sits above every other app (pyproject's layers): it reads their models and writes only
through their services, which check the same rules (``clinic.permissions``) as the screens.
"""
