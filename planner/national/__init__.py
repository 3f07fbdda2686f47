"""National scenarios: scale unit results to Norway and project need, supply and gap to 2040.

Data loading and validation (config), unit solves (units, toy), execution (executors, cache),
scaling and calibration (scaling), projection and levers (projection), Monte Carlo (montecarlo),
checks of the unit models against national figures (validation), orchestration (run), outputs
(outputs, charts, and evidence: calibration, validation and sampled inputs with their sources).
See docs/national.md.
"""
