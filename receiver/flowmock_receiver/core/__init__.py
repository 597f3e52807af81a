"""The receiver's domain, with no web framework in it: flows and their checks, call records, the stores, the
trigger pipeline (a request value in, a call record and a response value out), faults, signing, ids, content and
the errors. Everything above (the service, the web layer, serving, the CLI) builds on it; it imports none of them,
so it can be read, tested and reused alone (`tests/test_import_graph.py` keeps it so).
"""
