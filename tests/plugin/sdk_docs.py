"""The startplugin.json / barcodes.json documentation of the SDK manual, as the project keeps
it in rundb/catalog/data/plugin_files.json (the `plugin_files_doc` fixture)."""


def startplugin_example(doc):
    return doc["startplugin.json"]["example"]


def barcodes_example(doc):
    return doc["barcodes.json"]["example"]


def nonbarcoded_documented_keys(doc):
    return doc["barcodes.json"]["nonbarcoded_keys"]


def barcode_documented_keys(doc):
    return doc["barcodes.json"]["barcode_keys"]
