"""What-if runs before an event: scenarios, their comparison, no-show robustness.

:mod:`~matcher.whatif.scenarios` reads ``scenarios.toml`` and applies a
scenario to the base problem; :mod:`~matcher.whatif.run` solves the base
and every scenario on a Dask cluster; :mod:`~matcher.whatif.compare` sets
them side by side and :mod:`~matcher.whatif.files` writes the comparison
(CSV, XLSX, JSON, PNG); :mod:`~matcher.whatif.noshow` samples no-shows
on a roster and proposes standbys.
"""
