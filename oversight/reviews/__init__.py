"""Serious further offences and serious case reviews as the SMB and the co-ordinators read them.

The records are in ``case_reviews`` (low enough for the annual statistics to count them); the changes are
``oversight.services.reviews``; the reads for the pages are :mod:`.selectors`.
"""
