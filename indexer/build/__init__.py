"""The build side: content files read, analysed (in worker processes: pool.py over
indexer/forked.py), written as a generation's segments (builder.py, through indexer/engine/'s
write side), kept up to date file by file (changes.py) and re-tagged in place after a concept edit
(retag.py)."""
