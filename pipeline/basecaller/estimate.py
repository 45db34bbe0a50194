"""Estimate the phasing parameters CF, IE, DR from a training set of reads.

Alternates (a) calling the training reads with the current estimate and (b) a few
Gauss-Newton steps of least squares of the measured signal against the phasing model of
those calls, with the Jacobian by finite differences. All parameter perturbations are
simulated in one vectorised call (the rows are stacked with per-row parameters).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .phasing import simulate_flowgrams
from .solver import solve_flowgrams

_STEP = np.array([5e-4, 5e-4, 2e-4])
_UPPER = np.array([0.05, 0.05, 0.02])


@dataclass
class PhasingEstimate:
    cf: float
    ie: float
    dr: float
    training_reads: int
    residual: float       # mean squared residual per flow over the fitted flows

    def as_tuple(self):
        return self.cf, self.ie, self.dr


def fit_phasing_to_calls(measured: np.ndarray, calls: np.ndarray, fo_codes: np.ndarray,
                         theta, *, first_flow: int, last_flow: int, key_one=None,
                         steps: int = 3):
    """Gauss-Newton refinement of (CF, IE, DR) given fixed calls; returns (theta, mse).

    ``key_one``: the key's 1-mer flows. The measurement was divided by its mean signal
    there, so the model is normalised the same way (the key flows are slightly dephased
    too; ignoring it biases DR).
    """
    theta = np.asarray(theta, dtype=np.float64)
    T = calls.shape[0]
    # Simulate past the compared flows: copies running ahead need the template there.
    sim_flows = min(calls.shape[1], last_flow + 40)
    h = calls[:, :sim_flows]
    y = measured[:, first_flow:last_flow].astype(np.float64)
    mse = np.inf
    for _ in range(steps):
        # Base point and one perturbation per parameter (scalar-parameter simulations
        # are much cheaper than one stacked simulation with per-row parameters).
        sims = []
        for k in range(4):
            th = theta.copy()
            if k:
                th[k - 1] += _STEP[k - 1]
            sim = simulate_flowgrams(h, fo_codes[:sim_flows], *th).astype(np.float64)
            if key_one is not None:
                sim /= np.maximum(sim[:, key_one].mean(axis=1, keepdims=True), 1e-6)
            sims.append(sim[:, first_flow:last_flow])
        P = np.concatenate(sims)
        P0 = P[:T]
        r = (y - P0).ravel()
        mse = float(np.mean(r * r))
        J = np.stack([((P[(k + 1) * T:(k + 2) * T] - P0) / _STEP[k]).ravel() for k in range(3)],
                     axis=1)
        JtJ = J.T @ J + np.eye(3) * 1e-6 * np.trace(J.T @ J)
        delta = np.linalg.solve(JtJ, J.T @ r)
        theta = np.clip(theta + delta, 0.0, _UPPER)
        if np.all(np.abs(delta) < 2e-5):
            break
    return theta, mse


def estimate_phasing(measured: np.ndarray, fo_codes: np.ndarray, key_hp: np.ndarray, *,
                     init=(0.005, 0.005, 0.001), max_reads: int = 400, fit_flows: int = 160,
                     rounds: int = 3) -> PhasingEstimate:
    """Estimate CF/IE/DR from key-normalised training flowgrams ``measured[T, F]``."""
    M = np.asarray(measured, dtype=np.float32)[:max_reads]
    if M.shape[0] == 0:
        raise ValueError("no reads to estimate phasing from")
    F = M.shape[1]
    last = min(F, fit_flows)
    first = key_hp.size
    theta = np.asarray(init, dtype=np.float64)
    mse = np.inf
    for _ in range(rounds):
        sol = solve_flowgrams(M, fo_codes, key_hp, *theta, max_iter=6)
        # Fit against the key-normalised signal: the solver's per-read gain refit would
        # absorb part of the droop.
        new_theta, mse = fit_phasing_to_calls(M, sol.calls, fo_codes, theta,
                                              first_flow=first, last_flow=last,
                                              key_one=np.nonzero(key_hp == 1)[0])
        converged = np.all(np.abs(new_theta - theta) < 5e-5)
        theta = new_theta
        if converged:
            break
    return PhasingEstimate(float(theta[0]), float(theta[1]), float(theta[2]), int(M.shape[0]),
                           mse)
