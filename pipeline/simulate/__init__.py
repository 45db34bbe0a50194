"""Simulated instrument runs: a run folder as an Ion instrument would leave it, plus truth.

Python API::

    from pipeline.simulate import simulate_run, load_barcode_kit
    kit = load_barcode_kit(".../ion_xpress.json", name="IonXpress")
    run = simulate_run("<results>/<rig>/R_2024_01_02_03_04_05_user_demo", reads=5000,
                       barcode_kit=kit, barcodes=4, fmt="bam", seed=7)
    run.run_dir, run.reference_fasta, run.truth_path, run.params_path, run.outputs

Command line: ``python -m pipeline.simulate.cli OUT_DIR --reads N ...`` (see ``--help``).

Run-folder contract (what the rest of the pipeline reads)
---------------------------------------------------------
``out_dir`` *is* the run folder (name it ``R_YYYY_MM_DD_hh_mm_ss_<user>_<name>`` and put
it under ``<results>/<rig>/`` for the crawler).

* ``explog.txt`` - written first, at "run start": ``Key: Value`` lines with the
  instrument spellings: ``Experiment Name``, ``Run Name``, ``User Name``, ``Start Time``
  (PGM ``%a %b %d %H:%M:%S %Y``, Proton/S5 ``%m/%d/%Y %H:%M:%S``), ``Platform``
  (PGM|PROTON|S5), ``DeviceName``, ``Serial Number``, ``ChipType``, ``ChipBarcode``,
  ``Flows``, ``Cycles``, ``Image Map`` (flow-order cycle, no spaces), ``LibraryKeySequence``,
  ``TFKeySequence``, ``Library`` (reference short name or ``none``), ``barcodeId`` (kit
  name or ``none``), ``Project``, ``Sample``, ``User Notes``, ``Planned Run Short ID``,
  ``Planned Run GUID``, ``RunType`` (GENS), ``SeqKitName``, ``LibKit``, ``AutoAnalyze: yes``,
  ``AnalyzeEarly: no``, ``Prebeadfind: no``, ``postbeadfind: no``, ``OnInstrAnalysis: yes``.
  No ``BlockStatus`` lines: runs are single-block ("rawdatastyle single").
* ``explog_final.txt`` - written LAST (after every data file): the same keys plus
  ``End Time`` and ``Flows Completed``; its existence means the run is complete. No
  ``acq_*.dat`` files exist: the required files are the data files below.
* Format (a), ``fmt="bam"`` - basecalled, in ``basecaller_results/``:
  - ``rawlib.basecaller.bam``: all library reads, one read group ``ID:<runID>``; the key is
    removed; for barcoded runs every read still starts with barcode + barcode adapter
    (or a junk no-match prefix). With ``preclassified=True`` instead one
    ``<id_str>_rawlib.basecaller.bam`` per barcode (RG ``<runID>.<id_str>``, barcode and
    adapter trimmed, ``KS`` = key+barcode+adapter) and ``nomatch_rawlib.basecaller.bam``
    (RG ``<runID>.nomatch``, prefix kept).
  - ``rawtf.basecaller.bam``: test-fragment reads (RG ``<runID>.TF``, TF key removed).
  - Header: ``@HD VN:1.4 SO:unsorted``; ``@RG ID SM PL:IONTORRENT KS FO DT PU LB DS``
    (``FO`` = flow order over all flows, ``KS`` = key sequence); ``@PG ID:bc``.
  - Unmapped records (flag 4), name ``<runID>:<row 5 digits>:<col 5 digits>``;
    tags ``RG``; ``ZF:i`` flow of the first base of the stored read; ``ZA:i`` position of
    the 3' adapter in the stored read (present only when the adapter was sequenced; for
    untrimmed barcoded reads it counts the barcode prefix too - a stage that trims the
    prefix subtracts it); ``ZM:B:s`` 128 x normalised signal per flow from flow 0 (key
    flows included) to the last base flow + 16, clamped to +-16383 (``flowgram_tags``).
  - ``BaseCaller.json`` (``Phasing.CF/IE/DR`` as fractions, ``Filtering.ReadDetails.lib/tf``
    incl. ``valid`` and ``failed_keypass``, ``Filtering.LibraryReport``),
    ``analysis.bfmask.stats`` (``[global]``, ``Key = value``), ``avgNukeTrace_<libkey>.txt``,
    ``avgNukeTrace_<tfkey>.txt``.
* Format (b), ``fmt="wells"`` - flowgrams, in ``sigproc_results/``:
  - ``1.wells`` HDF5: ``/wells`` float32 [rows, cols, flows] raw (un-normalised) signal,
    attrs ``FlowOrder``, ``LibraryKey``, ``TFKey``, ``ChipType``; ``/info_keys`` and
    ``/info_values`` records (FlowOrder, Flows, ...). Read it with
    ``pipeline.formats.wells.WellsReader``.
  - ``analysis.bfmask.bin`` (uint32 rows, uint32 cols, uint16 flags row-major; bits in
    ``pipeline.formats.bfmask.MaskBit``: library bead = BEAD|LIVE|LIB, TF = BEAD|LIVE|TF,
    dud = BEAD|DUD, empty = EMPTY, pinned = PINNED), ``analysis.bfmask.stats``,
    ``avgNukeTrace_*.txt``, ``processParameters.txt``, ``analysis_return_code.txt`` (0).
  - Molecules: key + [barcode + adapter] + insert + 3' adapter + filler, phased with
    CF/IE/DR (our model: ``pipeline.basecaller.phasing``), Gaussian noise, per-well gain.
    ``pipeline.basecaller.basecall_run`` turns this into format (a).

Truth (``<out_dir>/simulation/`` unless ``truth_dir`` is given; not part of the run)
* ``truth.tsv.gz`` - one row per read (format a) / per bead well (format b). Format (a)
  columns: name, kind (lib|tf), read_group, barcode (id_str | nomatch | ""), contig, pos
  (0-based leftmost reference base of the read's alignment), strand, insert_len, read_len,
  prefix_len (barcode+adapter bases at the read's 5' end), adapter_found (ZA present),
  bc_errors, n_sub, n_ins, n_del, n_hp (errors inside the read), cigar (reference
  orientation, insert part only: prefix bases are not in it), q17_len, q20_len (computed
  on the stored QVs). Format (b): name, row, col, kind (lib|tf|badkey|dud), barcode,
  contig, pos, strand, insert_len, prefix_len, template (expected read: prefix + insert).
* ``truth_params.json`` - every parameter, CF/IE/DR, chip geometry and well counts, reads
  per barcode (+ nomatch), TF reads per TF, per-read-group read_count/total_bases/
  Q20_bases (format a), the output file paths.
* ``<reference>.fasta`` (+ ``.fai``) when generated; ``DefaultTFs.fasta``/``.conf``.
"""
from .barcodes import load_barcode_kit
from .reads import ErrorModel, QualityModel
from .run import SimulatedRun, run_id_for, simulate_run

__all__ = ["simulate_run", "SimulatedRun", "load_barcode_kit", "run_id_for", "ErrorModel",
           "QualityModel"]
