"""Report figures (matplotlib, object API on the Agg canvas: no global pyplot state).

Each function returns the path it wrote, or None when its input is absent.

    readlen     read_length_histogram()      basecaller_results/readLenHisto.png
    beads       bead_density()                Bead_density_{contour,raw,20,70,200,1000}.png
    barcodes    barcode_read_counts()         barcode read counts bar chart
    sparkline   barcode_read_length_images()  basecaller_results/<prefix>.{sparkline,read_len_histogram}.png
    ionogram    key_ionogram(), key_trace()   flowgram of the first flows / iontrace_<kind>.png
"""
from .barcodes import barcode_read_counts
from .beads import bead_density, box_sum
from .ionogram import key_ionogram, key_trace
from .readlen import read_length_histogram
from .sparkline import barcode_read_length_images, read_length_sparkline

__all__ = ["barcode_read_counts", "barcode_read_length_images", "bead_density", "box_sum", "key_ionogram",
           "key_trace", "read_length_histogram", "read_length_sparkline"]
