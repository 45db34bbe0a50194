"""Analysis pipeline and run ingest (numpy/pysam; no Django imports at module level).

Sub-packages:
    simulate    synthetic instrument runs (run folder + truth) for tests and benchmarks
    basecaller  numpy flowgram basecaller: 1.wells + bead mask -> unmapped BAM
    formats     readers/writers of instrument/pipeline file formats (BAM, 1.wells, bfmask, ...)
    ingest      explog parsing and run-folder crawling
"""
