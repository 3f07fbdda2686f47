"""National scenarios: scale unit results to Norway and project need, supply and gap to 2040.

Data loading and validation (config), unit solves (units, toy), execution (executors, cache),
scaling and calibration (scaling), projection and levers (projection), Monte Carlo (montecarlo),
orchestration (run), outputs (outputs, charts). See docs/national.md.
"""
