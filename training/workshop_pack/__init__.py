"""The workshop pack: everything a session needs printed, in one download
for a local printer (the roster, the sign-in sheets, the programme, the
convocation letters and, once issued, the certificates).

An area above attendance, enrollment, certificates and curricula: it reads
what they hold through their own functions and copies none of their rules.
"""
