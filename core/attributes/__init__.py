"""CLIP-SMU: what a face template encodes, in words (Manojlovska et al.).

The package holds the attribute vocabulary (MAAD-Face's 47 attributes) and its caption
grammar, the label files it reads (LFW attribute scores, MAAD-Face annotations), the
zero-shot open_clip scorer, the template CLIP-SMU text side with its symmetric loss, the
reference heads on frozen templates, their evaluation on identity-disjoint folds, and the
descriptions the QA engine answers from. Nothing heavy is imported here.
"""
