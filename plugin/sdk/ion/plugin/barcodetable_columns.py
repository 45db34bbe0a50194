"""Catalogue of the barcodes-table UI columns a plugin may request (`--bctable-columns`)."""

KNOWN_COLUMNS = [
    {"field": "barcode_name", "description": "Barcode name", "editable": False},
    {"field": "files_BAM", "description": "Checkbox: process the BAM file", "editable": True},
    {"field": "files_VCF", "description": "Checkbox: process the VCF file", "editable": True},
    {"field": "hotspot_filepath", "description": "Hotspots BED file (dropdown)", "editable": True},
    {"field": "nucleotide_type", "description": "DNA or RNA (dropdown)", "editable": True},
    {"field": "reference", "description": "Reference genome (dropdown)", "editable": True},
    {"field": "sample", "description": "Sample name", "editable": False},
    {"field": "selected", "description": "Checkbox: include this barcode", "editable": True},
    {"field": "target_region_filepath", "description": "Target regions BED file (dropdown)", "editable": True},
]

CUSTOM_TEMPLATES = [
    {"type": "custom_checkbox", "field": "<name>", "title": "<title>", "editable": True, "width": "<css width>"},
    {"type": "custom_input", "field": "<name>", "title": "<title>", "editable": True, "width": "<css width>"},
    {"type": "custom_dropdown", "field": "<name>", "title": "<title>", "editable": True, "width": "<css width>",
     "options": ["<option>", "..."]},
]


def available_columns():
    return sorted(KNOWN_COLUMNS, key=lambda c: c["field"]) + CUSTOM_TEMPLATES
