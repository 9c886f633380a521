"""Pure domain rules of the personal budget.

Nothing here imports Reflex or the database, so the rules are easy to read and to test.
"""
