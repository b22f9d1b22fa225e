# TEMPORARY: removed at merge.  Re-imports, under their old names, the names other modules still import
# from here (each now lives where the comment says); nothing else belongs in this file.
from goexplint.analysis.goroutines import goroutine_bodies, handler_bodies, is_handler_signature  # noqa: F401
from goexplint.analysis.goroutines import is_sync_point as _is_sync_point  # noqa: F401
from goexplint.analysis.goroutines import same_file_functions  # noqa: F401
from goexplint.analysis.locks import UNKNOWN_LOCK as UNKNOWN  # noqa: F401
from goexplint.analysis.locks import UNLOCK_MODES as UNLOCKS  # noqa: F401
from goexplint.analysis.locks import apply_statement as _apply  # noqa: F401
from goexplint.analysis.locks import lock_calls_in as _lock_calls  # noqa: F401
from goexplint.analysis.locks import method_call as _method_call  # noqa: F401
from goexplint.analysis.locks import passed_to_lock_helper as _passed_to_lock_helper  # noqa: F401
from goexplint.analysis.syntax import enclosing_function, line_of, match_rows, statements_after  # noqa: F401
from goexplint.analysis.syntax import value_copy_root  # noqa: F401
from goexplint.analysis.syntax import normal_text as normal  # noqa: F401
from goexplint.analysis.syntax import root_identifier as root_of  # noqa: F401
from goexplint.analysis.syntax import unparen as strip_parens  # noqa: F401
