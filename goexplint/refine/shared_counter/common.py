"""Helpers shared by the GXL2xx refine steps."""

from goexplint.sharedstate import is_ancestor, normal, shared_writes


def report_shared_writes(match, ctx, rule_id):
    stmt = match["stmt"]
    seen = set()
    for rec in shared_writes(ctx):
        if rec.rule != rule_id or rec.locked is not None or not rec.reason:
            continue
        if not is_ancestor(stmt, rec.write.node) or owner(rec.write.node) != stmt or rec.write.node.id in seen:
            continue
        seen.add(rec.write.node.id)  # a method launched twice is one finding
        yield match.finding(rec.write.node, related=rec.related, evidence=rec.evidence,
                            var=normal(rec.write.target), op=rec.write.op, shared=rec.sharing.text,
                            why=rec.reason, what=rec.what)


def owner(node):
    """The statement (or delete call) a write belongs to: the smallest candidate the queries capture."""
    n = node
    while n is not None:
        if n.type in ("inc_statement", "dec_statement", "assignment_statement"):
            return n
        if n.type == "call_expression" and n.child_by_field_name("function") is not None \
                and n.child_by_field_name("function").text == b"delete":
            return n
        n = n.parent
    return None
