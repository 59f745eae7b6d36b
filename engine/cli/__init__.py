"""The click application: shared options and exit statuses (context), the group that registers
each feature's command (app).
"""
