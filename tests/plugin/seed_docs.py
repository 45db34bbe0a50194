"""The startplugin.json / barcodes.json documentation of the SDK manual (seed 001), parsed."""
import json
import re


def seed_manual(shared_dir):
    return next(shared_dir.glob("seeds/001_*.txt")).read_text(encoding="utf-8")


def _json_block_after(text, marker, start_at=0):
    """The JSON object that starts on the first line == '{' after `marker`."""
    pos = text.index(marker, start_at)
    lines = text[pos:].splitlines()
    begin = next(i for i, line in enumerate(lines) if line.strip() == "{" and line.startswith("{"))
    end = next(i for i in range(begin + 1, len(lines)) if lines[i] == "}")
    return "\n".join(lines[begin:end + 1])


def startplugin_example(shared_dir):
    text = seed_manual(shared_dir)
    section = text.index("\nstartplugin.json\n")
    block = _json_block_after(text, "\nExample\n", section)
    block = re.sub(r'"username": string', '"username": ""', block)  # the manual's placeholder
    return json.loads(block)


def barcodes_example(shared_dir):
    text = seed_manual(shared_dir)
    return json.loads(_json_block_after(text, "Example barcodes.json for a barcoded run"))


def nonbarcoded_documented_keys(shared_dir):
    text = seed_manual(shared_dir)
    start = text.index("nonbarcoded: {")
    end = text.index("}", start)
    return sorted(re.findall(r"^\s+(\w+) <", text[start:end], re.M))


def barcode_documented_keys(shared_dir):
    text = seed_manual(shared_dir)
    start = text.index("barcode_name: {")
    end = text.index("}", start)
    return sorted(re.findall(r"^\s+(\w+) <", text[start:end], re.M))
