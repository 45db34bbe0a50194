"""Metric-row dictionaries keyed by the Django field names of the API spec
(``libmetrics``, ``qualitymetrics``, ``analysismetrics``, ``tfmetrics``).

``None`` means "the input this value needs is absent" (no reference, no
BaseCaller.json, no bead-find stats, no key traces, no flowgrams); the caller
decides how to store it (the models' columns default to 0).

QualityMetrics uses the *intended* (TS 4.x) definitions: q17/q20 rows come from
the true Q17/Q20 length histograms, not copies of q0.
"""
from .inputs import phasing, read_details

LIB_AQ = (7, 10, 17, 20, 47)
I_BP = tuple(range(50, 650, 50))


def quality_metrics(stats):
    """QualityMetrics row from basecaller-level totals (IonStats)."""
    out = {}
    levels = {0: stats.full, 17: stats.q17, 20: stats.q20}
    for q, h in levels.items():
        mean = h.num_bases / h.num_reads if h.num_reads else 0.0
        out[f"q{q}_bases"] = int(stats.qv[q:].sum())
        out[f"q{q}_reads"] = int(h.num_reads)
        out[f"q{q}_max_read_length"] = int(h.max_read_length)
        out[f"q{q}_mean_read_length"] = float(mean)
        out[f"q{q}_median_read_length"] = h.median()
        out[f"q{q}_mode_read_length"] = h.mode()
        out[f"q{q}_50bp_reads"] = h.count_at_least(50)
        out[f"q{q}_100bp_reads"] = h.count_at_least(100)
        out[f"q{q}_150bp_reads"] = h.count_at_least(150)
    # column types of the original model: q20_max_read_length float, q20_mean integer
    out["q20_max_read_length"] = float(out["q20_max_read_length"])
    out["q20_mean_read_length"] = int(out["q20_mean_read_length"])
    return out


def raw_accuracy(aln_stats):
    if aln_stats is None or aln_stats.aligned.num_bases == 0:
        return 0.0
    return round(float(1.0 - aln_stats.error_by_position.sum() / aln_stats.aligned.num_bases) * 100.0, 2)


def lib_metrics(bc_stats, aln_stats=None, *, basecaller_json=None, key_signal=None, reference=None,
                thumbnail=False):
    """LibMetrics row.

    ``bc_stats``: basecaller totals (``totalNumReads`` etc.); ``aln_stats``: alignment
    totals or None without a reference; ``key_signal``: library raw peak (avgNukeTrace)
    or None; ``reference``: {"name", "genome_length", "genome_version", "index_version"}.
    """
    out = {}
    ph = phasing(basecaller_json) if basecaller_json else None
    out["cf"], out["ie"], out["dr"] = (100.0 * ph[0], 100.0 * ph[1], 100.0 * ph[2]) if ph else (None, None, None)
    out["aveKeyCounts"] = float(key_signal) if key_signal is not None else None
    snr = bc_stats.system_snr
    out["sysSNR"] = float(snr) if snr is not None else None
    out["totalNumReads"] = int(bc_stats.full.num_reads)
    out["duplicate_reads"] = None
    ref = reference or {}
    out["genome"] = ref.get("name") or "None"
    out["genomesize"] = int(ref.get("genome_length") or 0)
    out["Genome_Version"] = str(ref.get("genome_version") or "None")
    out["Index_Version"] = str(ref.get("index_version") or "None")
    if aln_stats is None:
        out["align_sample"] = -1 if not thumbnail else 2
        out["total_mapped_reads"] = 0
        out["total_mapped_target_bases"] = 0
        out["raw_accuracy"] = 0.0
        for q in LIB_AQ:
            out[f"q{q}_alignments"] = 0
            out[f"q{q}_mapped_bases"] = 0
            out[f"q{q}_mean_alignment_length"] = 0
            out[f"q{q}_longest_alignment"] = 0
            for bp in I_BP:
                out[f"i{bp}Q{q}_reads"] = 0
        return out
    out["align_sample"] = 2 if thumbnail else 0
    out["total_mapped_reads"] = int(aln_stats.aligned.num_reads)
    out["total_mapped_target_bases"] = int(aln_stats.aligned.num_bases)
    out["raw_accuracy"] = float(raw_accuracy(aln_stats))
    for q in LIB_AQ:
        h = aln_stats.aq[q]
        out[f"q{q}_alignments"] = int(h.num_reads)
        out[f"q{q}_mapped_bases"] = int(h.num_bases)
        out[f"q{q}_mean_alignment_length"] = int(h.mean_read_length)
        out[f"q{q}_longest_alignment"] = int(h.max_read_length)
        for bp in I_BP:
            out[f"i{bp}Q{q}_reads"] = h.count_at_least(bp)
    return out


def analysis_metrics(bfmask_stats=None, basecaller_json=None):
    """AnalysisMetrics row from analysis.bfmask.stats and BaseCaller.json; None if both absent."""
    if bfmask_stats is None and basecaller_json is None:
        return None
    out = {}
    keys = {
        "total": "Total Wells", "excluded": "Excluded Wells", "empty": "Empty Wells", "pinned": "Pinned Wells",
        "ignored": "Ignored Wells", "bead": "Bead Wells", "live": "Live Beads", "dud": "Dud Beads",
        "amb": "Ambiguous Beads", "tf": "Test Fragment Beads", "lib": "Library Beads",
        "washout": "Washout Wells", "washout_dud": "Washout Dud", "washout_ambiguous": "Washout Ambiguous",
        "washout_live": "Washout Live", "washout_test_fragment": "Washout Test Fragment",
        "washout_library": "Washout Library", "keypass_all_beads": "Keypass Beads",
    }
    if bfmask_stats is not None:
        for field, key in keys.items():
            v = bfmask_stats.get(key, 0)
            out[field] = int(v) if isinstance(v, (int, float)) else 0
        aa = bfmask_stats.get("Adjusted Addressable Wells", 0)
        aa = int(aa) if isinstance(aa, (int, float)) else 0
        out["adjusted_addressable"] = aa if aa else out["total"] - out["excluded"]
        out["loading"] = 100.0 * out["bead"] / out["adjusted_addressable"] if out["adjusted_addressable"] > 0 else 0.0
    else:
        for field in keys:
            out[field] = None
        out["adjusted_addressable"] = None
        out["loading"] = None
    for f in ("libLive", "libKp", "libMix", "tfLive", "tfKp", "tfMix", "lib_pass_basecaller", "lib_pass_cafie"):
        out[f] = 0  # legacy columns, always 0 in the original too
    ph = phasing(basecaller_json) if basecaller_json else None
    out["sysCF"], out["sysIE"], out["sysDR"] = (100.0 * ph[0], 100.0 * ph[1], 100.0 * ph[2]) if ph else (None, None, None)
    lf = read_details(basecaller_json, "lib", "valid") if basecaller_json else None
    tf = read_details(basecaller_json, "tf", "valid") if basecaller_json else None
    out["libFinal"] = int(lf) if lf is not None else None
    out["tfFinal"] = int(tf) if tf is not None else None
    return out


def tf_metrics(tf_stats, *, key_signal=None, min_reads=500):
    """TFMetrics rows from {tf_name: {"sequence", "stats": IonStats}}; TFs with fewer than
    ``min_reads`` aligned reads are left out (as the original's TFStats.json)."""
    rows = []
    for name, d in sorted(tf_stats.items()):
        s = d["stats"]
        if s.aligned.num_reads < min_reads:
            continue
        q10, q17 = s.aq[10], s.aq[17]
        hp_num, hp_den = d.get("hp_num", [0] * 8), d.get("hp_den", [0] * 8)
        snr = s.system_snr
        rows.append({
            "name": name,
            "sequence": d["sequence"],
            "number": float(s.full.num_reads),
            "keypass": float(s.full.num_reads),
            "aveKeyCount": float(key_signal) if key_signal is not None else None,
            "SysSNR": float(snr) if snr is not None else None,
            "Q10Histo": " ".join(str(int(x)) for x in q10.hist),
            "Q17Histo": " ".join(str(int(x)) for x in q17.hist),
            "Q10Mean": float(q10.mean_read_length),
            "Q17Mean": float(q17.mean_read_length),
            "Q10ReadCount": float(q10.count_at_least(50)),
            "Q17ReadCount": float(q17.count_at_least(50)),
            "HPAccuracy": ", ".join(f"{i} : {int(n)}/{int(dd)}" for i, (n, dd) in enumerate(zip(hp_num, hp_den))),
            "corrHPSNR": "",
        })
    return rows
