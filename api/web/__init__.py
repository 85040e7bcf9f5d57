"""The service's pages: the coordinator's page at ``/`` and the personal pages.

Everything a page loads is shipped in this package (no CDN, no build step):
networks in the community and on campus cannot always reach public CDNs.
"""
