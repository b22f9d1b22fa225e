# TEMPORARY: removed at merge.  Only re-imports the names that moved out of this module into analysis
# modules, for the modules of other branches that still import them from here (see the i23-context report).
from goexplint.analysis.cfg import TERMINATORS, never_returns, no_return_call  # noqa: F401
from goexplint.analysis.syntax import (is_named_result, package_func, package_member, scope_body,  # noqa: F401
                                       strip_pointer)
from goexplint.analysis.values import (bound_target, decl_ident_of, expr_has_type, field_assigned_in_file,  # noqa: F401
                                       later_field_assignment, literal_keys, literal_of, local_values, method_call_on,
                                       package_var, references, result_targets, set_keys, string_prefixes,
                                       struct_field_types)
