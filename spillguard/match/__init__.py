"""Find reposts of leaked records without keeping them: keyed fingerprints of each leaked
person (index.py) and a matcher that reads any document the scanner reads (matcher.py)."""
