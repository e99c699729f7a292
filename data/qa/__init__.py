"""The QA evaluation data (question set, example comparisons), shipped in the wheel as the
package ``core.qa_data`` (core/qa_data links here) and found with ``importlib.resources``."""
