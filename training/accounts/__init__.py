"""Accounts for real people: an account linked to its trainer or participant
record, invitations and password resets by single-use links sent by mail or
handed over on a printed letter. Sits above auth, people and mail."""
