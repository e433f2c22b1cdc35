"""ReportLab renderers: plain data in, PDF bytes out. No Flask, no database."""
