"""Incident response: exposure from access logs, attribution, claw-back letters."""
