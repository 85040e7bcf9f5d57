"""The interactive docs work without the internet: every file they load is the service's."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_docs_load_nothing_from_another_host(client: TestClient) -> None:
    for page in ("/docs", "/redoc"):
        response = client.get(page)
        assert response.status_code == 200, page
        sources = re.findall(r'(?:src|href)="([^"]+)"', response.text)
        assert sources, page
        outside = [s for s in sources if re.match(r"(?:https?:)?//", s)]
        assert outside == [], f"{page} loads {outside}"
        for source in sources:
            if source.startswith("/"):
                asset = client.get(source)
                assert asset.status_code == 200, source
                assert len(asset.content) > 1000, source  # the real file, not a stub
