"""HTTP service over the matcher library: storage, roles and routes.

Start it with :func:`api.app.create_app`; the library (``matcher``) never
imports this package.
"""
