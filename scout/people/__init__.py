"""The people the programme serves (issue 14): a person's record under a pseudonymous code,
her children's schools, her availability and skills, her personal plan and her consents.

Her home is encrypted at rest (:mod:`.crypto`); only the NIL and the municipio are in clear.
"""
