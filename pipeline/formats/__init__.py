"""Readers and writers for the Torrent file formats used between pipeline stages.

    bgzf       BGZF block compression (the container of BAM)
    ubam       BAM writers: raw records (BamWriter) and vectorised unmapped BAM (UnmappedBamWriter)
    bfmask     analysis.bfmask.bin bead mask (bits, read/write) and analysis.bfmask.stats
    wells      1.wells HDF5 flowgram file (read in chunks / write)
    nuketrace  avgNukeTrace_<key>.txt key incorporation traces
"""
