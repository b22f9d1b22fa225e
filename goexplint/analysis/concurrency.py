# TEMPORARY: removed at merge.  Re-imports, under their old names, the names other modules still import
# from here (they now live in analysis.goroutines); nothing else belongs in this file.
from goexplint.analysis.goroutines import Launch, is_errgroup_receiver, iteration_synced, launch_of  # noqa: F401
