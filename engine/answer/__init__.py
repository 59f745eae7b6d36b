"""`mlarch answer`: exam-style multiple-choice questions, each option reviewed as a design.
"""
