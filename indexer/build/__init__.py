"""The build side: content files read, analysed (in worker processes: pool.py, forked.py),
written as a generation's segments (builder.py, bulkwrite.py, postencode.py), kept up to date
file by file (changes.py) and re-tagged in place after a concept edit (retag.py)."""
