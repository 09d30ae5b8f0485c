"""Rule modules. Each module declares `RuleDef`s and registers a check function per rule.

The pack registry (`compliance.domain.packs`) imports every module and lists the rules of each
pack version in a fixed order.
"""
