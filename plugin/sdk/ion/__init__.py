"""Namespace of the Torrent Suite plugin SDK (`from ion.plugin import *`)."""
