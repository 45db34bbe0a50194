"""Forward model of phasing: expected flowgram of a template given CF, IE and DR.

Model (our own, deliberately simple, used by both the simulator and the basecaller):

* The template is a list of homopolymer runs. Each clonal copy on a bead is at some run
  boundary ("has completed j runs"); at flow 0 all copies are at boundary 0.
* Nucleotide availability at flow f: the flow's nucleotide is present at 1; every other
  nucleotide keeps a residue that decays by a factor CF each flow (the previous flow's
  nucleotide is present at CF, the one before at CF**2, ...).
* At each flow a copy whose next run's nucleotide is the flow nucleotide extends through
  the whole run with probability 1 - IE (incomplete extension); a copy whose next run is a
  residual nucleotide extends with the residue level (carry forward). A copy may chain
  through up to ``chain`` runs in one flow.
* Each incorporated base loses a fraction DR of the extending copies (droop).
* The signal of a flow is the number of bases incorporated, summed over copies, in units
  of a full-population 1-mer.

The state is kept in a window of run boundaries around the in-phase copy (``behind`` runs
behind, ``ahead`` runs ahead), vectorised over wells; mass falling out of the window is
dropped (negligible for realistic CF/IE).
"""
from __future__ import annotations

import numpy as np

from .flowspace import PAD


def runs_from_flowgram(hp: np.ndarray, fo_codes: np.ndarray):
    """Homopolymer runs of (canonical) flowgrams ``hp[W, F]``.

    Returns (run_nuc [W, R] uint8 padded with PAD, run_len [W, R] float32, run_flow
    [W, R] int32 padded with F, boundary [W, F+1] int32 = runs completed before flow f).
    """
    hp = np.asarray(hp)
    W, F = hp.shape
    pos = hp > 0
    csum = np.cumsum(pos, axis=1, dtype=np.int32)
    R = int(csum[:, -1].max()) if W and F else 0
    run_flow = np.full((W, max(R, 1)), F, dtype=np.int32)
    rows, cols = np.nonzero(pos)
    run_flow[rows, csum[rows, cols] - 1] = cols
    valid = run_flow < F
    run_nuc = np.where(valid, fo_codes[np.minimum(run_flow, F - 1)], PAD).astype(np.uint8)
    run_len = np.where(valid, hp[np.arange(W)[:, None], np.minimum(run_flow, F - 1)], 0)
    boundary = np.zeros((W, F + 1), dtype=np.int32)
    boundary[:, 1:] = csum
    return run_nuc, run_len.astype(np.float32), run_flow, boundary


def simulate_flowgrams(hp: np.ndarray, fo_codes: np.ndarray, cf, ie, dr, *, behind: int = 40,
                       ahead: int = 24, chain: int = 3, eps: float = 1e-5,
                       return_inphase: bool = False):
    """Expected (noise-free) signals [W, F] for canonical flowgrams ``hp[W, F]``.

    ``cf``, ``ie``, ``dr`` are scalars or per-well arrays of length W. Only the band of
    window cells that holds mass (> ``eps`` in some well) is computed, so early flows and
    low phasing cost little. With ``return_inphase`` also returns the in-phase mass per
    flow [W, F] (the sensitivity of a flow's signal to its own homopolymer length).
    """
    hp = np.asarray(hp)
    W, F = hp.shape
    out = np.zeros((W, F), dtype=np.float32)
    inphase = np.zeros((W, F), dtype=np.float32) if return_inphase else None
    if W == 0:
        return (out, inphase) if return_inphase else out
    run_nuc, run_len, _, boundary = runs_from_flowgram(hp, fo_codes)
    win = behind + ahead + 1
    code_flat, ncol = _run_codes(run_nuc, run_len, behind, win, chain)
    nucs = _Nucleotides(cf, ie, dr, W)
    state = np.zeros((W, win), dtype=np.float32)
    state[:, behind] = 1.0
    lo, hi = behind, behind + 1          # active band of window cells
    row_base = (np.arange(W, dtype=np.int64) * ncol)[:, None]
    for f in range(F):
        avail = nucs.available(fo_codes[f])
        b = boundary[:, f]
        cw = np.take(code_flat, row_base + (b[:, None] + np.arange(lo, hi + chain)[None, :]))
        p, dw = nucs.lookup(avail, cw)
        st = state[:, lo:hi]
        out[:, f], new = _extend(st, p, dw, _CODE_LEN[cw], chain, min(win, hi + chain) - lo)
        if return_inphase:
            inphase[:, f] = state[:, behind] * (1.0 - nucs.ie)
        hi = lo + new.shape[1]
        state[:, lo:hi] = new
        lo = _recentre(state, lo, hi, boundary[:, f + 1] > b)
        lo, hi = _tighten(state, lo, hi, eps)
    return (out, inphase) if return_inphase else out


# One byte per run: nucleotide * 16 + length (lengths above 15 are clipped); these tables
# turn it into the nucleotide and the length.
_CODE_NUC = np.minimum(np.arange(256) // 16, PAD)
_CODE_LEN = (np.arange(256) % 16).astype(np.float32)


def _run_codes(run_nuc, run_len, behind, win, chain):
    """(flat run codes [W * ncol], ncol): the runs padded with ``behind`` fake runs before
    (never populated) and ``win + chain`` after."""
    W, R = run_nuc.shape
    ncol = behind + R + win + chain
    code = np.full((W, ncol), PAD * 16, dtype=np.uint8)
    code[:, behind:behind + R] = run_nuc * 16 + np.minimum(run_len, 15).astype(np.uint8)
    return code.ravel(), ncol


class _Nucleotides:
    """Nucleotide availability per flow (residues decaying by CF, the flow's nucleotide at
    1 - IE) and droop per run, for scalar or per-well CF/IE/DR."""

    def __init__(self, cf, ie, dr, W):
        cf = np.asarray(cf, dtype=np.float32)
        ie = np.asarray(ie, dtype=np.float32)
        dr = np.asarray(dr, dtype=np.float32)
        self.per_well = cf.ndim > 0 or ie.ndim > 0 or dr.ndim > 0
        self.ie = ie
        if self.per_well:
            self.cf = np.broadcast_to(cf.reshape(-1, 1), (W, 1)) if cf.ndim else cf
            self.ie_col = np.broadcast_to(ie.reshape(-1), (W,)) if ie.ndim else ie
            keep = np.broadcast_to((1.0 - dr).reshape(-1, 1), (W, 1))
            self.droop = np.power(keep, _CODE_LEN[None, :]).astype(np.float32)   # [W, 256]
            self.residue = np.zeros((W, 5), dtype=np.float32)
            self.row5 = (np.arange(W, dtype=np.int64) * 5)[:, None]
            self.row256 = (np.arange(W, dtype=np.int64) * 256)[:, None]
        else:
            self.cf = cf
            self.droop = np.power(np.float32(1.0 - dr), _CODE_LEN).astype(np.float32)
            self.residue = np.zeros(5, dtype=np.float32)

    def available(self, n_f):
        """Availability of each nucleotide (+ PAD at 0) at a flow of nucleotide ``n_f``."""
        residue = self.residue
        residue *= self.cf
        if self.per_well:
            residue[:, n_f] = 1.0
            avail = residue.copy()
            avail[:, n_f] = 1.0 - self.ie_col
            avail[:, PAD] = 0.0
        else:
            residue[n_f] = 1.0
            avail = residue.copy()
            avail[n_f] = 1.0 - self.ie
            avail[PAD] = 0.0
        return avail

    def lookup(self, avail, cw):
        """(extension probability, droop survival) of the runs with codes ``cw`` [W, k]."""
        if self.per_well:
            return (np.take(avail.ravel(), self.row5 + _CODE_NUC[cw]),
                    np.take(self.droop.ravel(), self.row256 + cw))
        return avail[_CODE_NUC][cw], self.droop[cw]


def _extend(st, p, dw, lw, chain, new_width):
    """One flow over the band ``st`` [W, width]: (signal per well, the band's new state
    [W, new_width]). Copies chain through up to ``chain`` runs."""
    W, width = st.shape
    new = np.zeros((W, new_width), dtype=np.float32)
    prod = p[:, :width]
    surv = dw[:, :width]
    signal = prod * lw[:, :width]
    new[:, :width] = st * (1.0 - prod)
    for k in range(1, chain + 1):
        if k < chain:
            nxt = prod * p[:, k:k + width]
            signal += nxt * lw[:, k:k + width]
            moved = st * (prod - nxt) * surv
        else:
            moved = st * prod * surv
        room = min(width, new.shape[1] - k)
        new[:, k:k + room] += moved[:, :room]
        if k < chain:
            prod = nxt
            surv = surv * dw[:, k:k + width]
    return np.einsum("ij,ij->i", st, signal), new


def _recentre(state, lo, hi, adv):
    """Shift the window of the wells whose in-phase copy completed a run (``adv``) by one
    cell; returns the band's new low edge."""
    if not np.any(adv):
        return lo
    band = state[adv, lo:hi]
    lo2 = max(lo - 1, 0)
    state[adv, lo2:hi] = 0.0
    if lo == 0:
        state[np.ix_(adv, range(0, hi - 1))] = band[:, 1:]
    else:
        state[np.ix_(adv, range(lo - 1, hi - 1))] = band
    return lo2


def _tighten(state, lo, hi, eps):
    """Drop edge cells whose mass is negligible in every well; the band's new (lo, hi)."""
    while hi - lo > 1 and state[:, hi - 1].max() <= eps:
        state[:, hi - 1] = 0.0
        hi -= 1
    while hi - lo > 1 and state[:, lo].max() <= eps:
        state[:, lo] = 0.0
        lo += 1
    return lo, hi
