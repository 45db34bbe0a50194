"""Analysis pipeline and run ingest (numpy/pysam; plain Python, no Django at import time).

Among the sub-packages: ``simulate`` (synthetic instrument runs + truth for tests and
benchmarks), ``basecaller`` (numpy flowgram basecaller: 1.wells + bead mask -> unmapped
BAM), ``formats`` (readers/writers of BAM, 1.wells, bfmask, key traces), ``ingest``
(explog parsing, run-folder crawling) and the analysis stages.
"""
