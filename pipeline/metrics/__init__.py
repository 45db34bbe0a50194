"""ionstats-equivalent metrics and the Django metric-row dictionaries (no Django here).

    ionstats     one streaming pass over a BAM -> IonStats (histograms, AQ, SNR)
    histograms   LengthHistogram (ionstats ReadLengthHistogram) + graph_max_x
    tables       libmetrics / qualitymetrics / analysismetrics / tfmetrics dicts
    inputs       optional instrument files: analysis.bfmask.stats, BaseCaller.json, avgNukeTrace
"""
