"""MinPlus saliency maps for face verification (Mery & Morris, WACV 2022)."""

from core.saliency.maps import SaliencyError, SaliencyMaps, saliency_record
from core.saliency.minplus import explain_face, explain_pair
from core.saliency.profiles import PROFILES, SaliencyParams, params_for, with_changes

__all__ = [
    "PROFILES",
    "SaliencyError",
    "SaliencyMaps",
    "SaliencyParams",
    "explain_face",
    "explain_pair",
    "params_for",
    "saliency_record",
    "with_changes",
]
