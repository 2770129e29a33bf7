"""Ray Data execution of aidb's heavy statement parts (model functions, fuzzy dedup) over Lance fragments.

The same vectorised functions and kernels the local engine runs, scheduled by Ray Data; nothing here
re-implements a function. Ray is an optional extra (`pip install "aidb[ray]"`), imported lazily.
"""
