"""Fault tests: real processes killed with SIGKILL on the real Grid Engine (see faults_support.py)."""
from faults_support import fault_grid  # noqa: F401
