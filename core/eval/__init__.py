"""Offline evaluation, off the runtime path of verifying and explaining two photos.

``metrics`` (10-fold accuracy, ROC, EER, FNMR at FMR, AUC, calibration error), ``plots`` (DET
curve, reliability diagram), ``verification_report`` (the ``facexplain eval verification``
report) and ``faithfulness`` (deletion/insertion checks of the explanations, ``facexplain eval
explanations``). ``facexplain calibrate`` uses ``metrics`` to pick the threshold.
"""
