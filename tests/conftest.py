"""Settings for the whole suite.

The suite's assertions pin English message ids, so the tests run in English
(``MATCHER_LANG=en``); the Chinese default is tested where it is chosen on
purpose (``tests/test_i18n.py`` and the tests that ask for ``zh``).
"""

import os

os.environ["MATCHER_LANG"] = "en"
