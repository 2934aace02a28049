"""The rules a drafted key point must pass (models/keypoint_rules.py)."""

from __future__ import annotations

from models.drafting import GroupBrief
from models.keypoint_rules import Drafted, Remedy, failed_rule
from models.types import Axis, PostIt, Sentence

GROUP = GroupBrief("Pêche", [], [
    PostIt("p1", "Poursuivre les efforts de limitation de la pêche dans les zones et pour les stocks fragiles"),
    PostIt("p2", "Protéger la capacité des océans à stocker du carbone, notamment en protégeant les baleines"),
    PostIt("p3", "Diminuer les émissions de gaz à effet de serre dues à la pêche et au transport maritime"),
], 3, 0)


def test_a_key_point_whose_purpose_lost_its_object_is_written_again() -> None:
    """« … dans les zones marines pour protéger. » (a rewrite on ``ccc``, every other rule passed)."""
    text = "Poursuivre les efforts pour réduire les émissions de la pêche dans les zones marines pour protéger."
    draft = Sentence(text, ["p1", "p2", "p3"])
    assert failed_rule(Drafted(draft, GROUP, Axis("Se nourrir"), "fr")) == ("is a complete sentence", Remedy.REWRITE)
    whole = Sentence("Poursuivre les efforts pour réduire les émissions de la pêche dans les zones marines.",
                     ["p1", "p2", "p3"])
    assert failed_rule(Drafted(whole, GROUP, Axis("Se nourrir"), "fr")) is None

