"""Question types and answer spans of the extractive answerer (spaCy's packaged English pipeline, no index)."""

import pytest
from pressroom.qa.answer import _candidates, _trim_entity, nlp, question_type


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who announced the pullout?", "who"),
        ("Whose troops left?", "who"),
        ("At what age did Derek Walcott die?", "how old"),
        ("How old is he?", "how old"),
        ("How high is the Jochgrubenkopf?", "measure"),
        ("How fast were the strongest wind gusts?", "measure"),
        ("How long do prosecutors have to file charges?", "how long"),
        ("How many people died?", "how many"),
        ("In what year was the attack?", "what year"),
        ("What nationality were the skiers?", "nationality"),
        ("Which news agency reported the remark?", "organisation"),
        ("From which museum was the coin taken?", "organisation"),
        ("Which Australian state's coast did the cyclone cross?", "place"),
        ("In which city will the helicopters be repaired?", "place"),
        ("When will it begin?", "when"),
        ("Where did the Dragon come down?", "where"),
        ("What did Putin and Assad not talk about?", None),
        ("Which ministry was told to withdraw the forces?", None),
    ],
)
def test_question_types(question: str, kind: str | None) -> None:
    assert question_type(question) == kind


def test_an_age_spacy_leaves_untagged_is_a_candidate_and_loses_its_glued_punctuation() -> None:
    doc = nlp()("Derek Walcott died on Friday at the age of 87.- According to his son, he died at home.")
    assert "87" not in [e.text for e in doc.ents]  # why the extra candidate exists
    ages = [_trim_entity(c.text, "how old") for c in _candidates(doc, "how old") if c.label_ == "CARDINAL"]
    assert ages == ["87"]
    assert [c.text for c in _candidates(doc, "who")] == [e.text for e in doc.ents]
