"""Forms out and answers back by e-mail: contacts, sending, collecting (issue 11).

``contacts`` knows each unit's address (a custom roster's e-mail column, then a contacts
file merged into the store); ``send`` hands one message per unit to an SMTP server (or
writes .eml files); ``collect`` reads replies from IMAP or a folder of .eml files into
the inbox and ingests them. The store keeps what was sent and read, so both resume.
"""
