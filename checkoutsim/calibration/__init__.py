"""The calibration layer: the store's own logs turned into a scenario.

Log formats (:mod:`~checkoutsim.calibration.formats`), simulated days written as logs
(:mod:`~checkoutsim.calibration.export`), reading and repairing messy logs
(:mod:`~checkoutsim.calibration.reading`), the estimates with their intervals and fits
(:mod:`~checkoutsim.calibration.fitting`), the calibrated scenario
(:mod:`~checkoutsim.calibration.scenario_out`) and its HTML report
(:mod:`~checkoutsim.calibration.report`). It simulates through ``experiments/`` and draws in
the style of ``report/``, so it sits after both. Submodules are imported on use: importing
this package costs nothing.
"""

__all__: list[str] = []
