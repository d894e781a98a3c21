"""Exports beside the report: the account graph for Gephi, igraph and networkx (GEXF 1.3,
GraphML, Gephi CSV), the case and findings tables as Parquet, a STIX 2.1 bundle and a
Meta-style indicators CSV. Every file is deterministic: same case and parameters, same bytes.
"""
