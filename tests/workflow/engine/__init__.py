"""Tests of the flow engine, mirroring receiver/flowmock_receiver/workflow/engine."""
