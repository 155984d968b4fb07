from pressroom.qa.chain import check_history
from pressroom.qa.followup import Turn, condense, is_followup


def test_followups_are_recognised() -> None:
    assert is_followup("When does it begin?")
    assert is_followup("What did his office say?")
    assert is_followup("And Assad?")
    assert not is_followup("Who announced the pullout of Russian troops from Syria?")


def test_a_followup_inherits_the_topic_of_the_chain_of_turns_before_it() -> None:
    history = [Turn("Who ordered the withdrawal of Russian forces?", "Putin"), Turn("When does it begin?", "tomorrow")]
    standalone = condense("What did his office say?", history)
    assert "withdrawal" in standalone.query and "Putin" in standalone.query and "tomorrow" in standalone.query
    assert standalone.question == "What did his office say?"


def test_a_standalone_question_is_left_alone() -> None:
    standalone = condense("Who won the bobsleigh World Cup stage in Pyeongchang?", [Turn("When does it begin?")])
    assert standalone.query == standalone.question and standalone.context == ""


def test_turns_parse_from_strings_and_dicts() -> None:
    assert check_history(["Q?"]) == [Turn("Q?")]
    assert check_history([{"question": "Q?", "answer": "A"}]) == [Turn("Q?", "A")]
