"""Organisations: the registry of services, ministries and partners, and
merging two records of one organisation."""
